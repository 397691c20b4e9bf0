# make bench plots: gnuplot -c bench/plot.gp OUTDIR
# Reads OUTDIR/plot/ (written by bench/aggregate), writes OUTDIR/*.png,
# one set per machine (M = its shape, e.g. 1x256M):
#   M-survival.png   share of ramp runs survived against the allocation rate
#   M-WORK.png       per workload with a time series (repeat 1): memory
#                    available (top); swap allocated and used, and zram's
#                    RAM (bottom)
dir = ARG1
set terminal pngcairo size 1000,700 font ",10" noenhanced
set key outside right top
set grid
load dir.'/plot/cmds.gp'
