# Bench meta-test: a kernel panic in the middle of a suite must fail it.
@test "crash the kernel" { echo c > /proc/sysrq-trigger; }
