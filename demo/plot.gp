# gnuplot script for make demo: ARG1 = directory with noswap.csv, adaptswap.csv
# csv columns (run name stripped): t,mem_used,swap_alloc,swap_used,swappiness,workload,level
set datafile separator ","
set terminal pngcairo size 1200,520 font "sans,10"
set output ARG1."/demo.png"
set multiplot layout 1,2 title "The same spike (3x RAM) in a 256 MiB VM"
set xlabel "seconds"
set ylabel "MiB"
set grid
set key top left
set yrange [0:*]
set title "without adaptswap: killed by the OOM killer"
plot ARG1."/noswap.csv" using 1:6 with lines lw 2 title "workload allocated", \
     "" using 1:2 with lines lw 2 title "memory used", \
     "" using 1:3 with lines lw 2 title "swap allocated", \
     "" using 1:4 with lines lw 2 title "swap used"
set title "with adaptswap: completed"
plot ARG1."/adaptswap.csv" using 1:6 with lines lw 2 title "workload allocated", \
     "" using 1:2 with lines lw 2 title "memory used", \
     "" using 1:3 with lines lw 2 title "swap allocated", \
     "" using 1:4 with lines lw 2 title "swap used"
unset multiplot
