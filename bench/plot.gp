# make bench plots: gnuplot -c bench/plot.gp OUTDIR
# Reads OUTDIR/plot/ (written by bench/aggregate), writes OUTDIR/*.png:
#   survival.png   share of ramp runs survived against the allocation rate
#   WORK.png       per workload with a time series (repeat 1): memory
#                  available (top), swap allocated and used (bottom)
dir = ARG1
load dir.'/plot/vars.gp'
set terminal pngcairo size 1000,700 font ",10" noenhanced
set key outside right top
set grid

set output dir.'/survival.png'
set title 'Ramps to 3x RAM: share of runs survived'
set xlabel 'allocation rate (MiB/s)'
set ylabel 'survived'
set yrange [-0.05:1.1]
if (nrates > 0) {
	plot for [i = 1:words(configs)] dir.'/plot/survival.dat' using 1:(column(i + 1) + (i - 3) * 0.01) \
		with linespoints lw 2 pt 7 title word(configs, i)
} else {
	set label 1 'no ramp was run' at graph 0.4, 0.5
	plot 2 notitle
}
unset label 1
set yrange [*:*]

do for [w = 1:words(works)] {
	wk = word(works, w)
	set output dir.'/'.wk.'.png'
	set multiplot layout 2,1 title 'workload '.wk.' (repeat 1)'
	set title 'memory available'
	set xlabel ''
	set ylabel 'MiB'
	plot for [i = 1:words(configs)] dir.'/plot/'.wk.'_'.word(configs, i).'.dat' using 1:2 \
		with lines lw 2 lc i title word(configs, i)
	set title 'swap allocated (solid) and used (dashed)'
	set xlabel 'seconds since the workload started'
	plot for [i = 1:words(configs)] dir.'/plot/'.wk.'_'.word(configs, i).'.dat' using 1:3 \
		with lines lw 2 lc i title word(configs, i).' allocated', \
		for [i = 1:words(configs)] dir.'/plot/'.wk.'_'.word(configs, i).'.dat' using 1:4 \
		with lines lw 2 dt 2 lc i title word(configs, i).' used'
	unset multiplot
}
