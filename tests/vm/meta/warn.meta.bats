# Bench meta-test: a kernel WARN must fail the run even if bats would pass.
@test "load a module that WARNs" { modprobe adaptswap_selftest_warn warn=1; }
@test "afterwards" { true; }
