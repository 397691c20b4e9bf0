# Bench meta-test: passes, but leaves swap on, a process and a file behind;
# in a shared boot that fails it (the next suite must find a clean guest).
@test "leaves swap on, a process and a file" {
	fallocate -l 16M /mnt/left.swap
	chmod 600 /mnt/left.swap
	mkswap /mnt/left.swap
	swapon /mnt/left.swap
	# (fd 3 closed: bats waits for whoever holds its TAP pipe)
	setsid sleep 1000 < /dev/null > /dev/null 2>&1 3>&- &
}
