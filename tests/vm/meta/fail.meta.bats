# Bench meta-test: one failing case must fail the whole guest run.
@test "this one passes" { true; }
@test "this one fails" { false; }
