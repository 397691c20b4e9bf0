# Bench meta-test: a suite with no test case must not count as a pass.
