# Bench meta-test: a guest that hangs must be killed and fail.
# guest: timeout=30
@test "hang" { sleep 3600; }
