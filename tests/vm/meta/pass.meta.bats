# Bench meta-test: the positive control, must pass.
@test "true is true" { true; }
@test "the guest has the disk mounted" { grep -q ' /mnt ' /proc/mounts; }
