#!/usr/bin/env bats
# contrib/python/adaptswap-events.py, the Python agent of doc/protocol.md,
# on this machine (which cannot load the module: the image suite runs it
# against the real one): the page shows exactly the file, its attribute
# numbers and names are those of the uapi header and libadaptswap, it
# decodes an event whatever attributes are appended, and it fails cleanly.

load ../lib/helpers

PY=/usr/bin/python3	# Debian's, with python3-pyroute2
AGENT=$REPO/contrib/python/adaptswap-events.py

setup() {
	requires host
	export PYTHONDONTWRITEBYTECODE=1	# nothing written into the tree
	"$PY" -c 'import pyroute2' 2>/dev/null || {
		echo "needs python3-pyroute2 (tests/deps.sh)"
		return 1
	}
}

# agent_py CODE: run python CODE with the agent imported as "agent"
agent_py() {
	"$PY" -c 'import importlib.util, sys
spec = importlib.util.spec_from_file_location("agent", sys.argv[1])
agent = importlib.util.module_from_spec(spec)
spec.loader.exec_module(agent)
exec(sys.argv[2])' "$AGENT" "$1"
}

@test "doc/protocol.md shows exactly contrib/python/adaptswap-events.py" {
	awk '/^```python$/ {p = 1; next} /^```$/ {p = 0} p' "$REPO/doc/protocol.md" \
		> "$BATS_TEST_TMPDIR/doc.py"
	diff "$AGENT" "$BATS_TEST_TMPDIR/doc.py"
	[ -x "$AGENT" ]
	"$PY" -c 'import py_compile, sys; py_compile.compile(sys.argv[1], sys.argv[2], doraise=True)' \
		"$AGENT" "$BATS_TEST_TMPDIR/agent.pyc"
}

@test "its attribute numbers and names are the uapi header's and libadaptswap's" {
	lib=$BUILD/host/lib/libadaptswap.a
	[ -f "$lib" ] || { echo "no $lib: run make"; false; }
	# what the header and the library say ...
	cat > "$BATS_TEST_TMPDIR/t.c" <<-'EOF'
	#include <stdio.h>
	#include "adaptswap.h"
	#define A(x) printf("attr %s %d\n", #x, ADAPTSWAP_A_##x)
	int main(void)
	{
		A(EVENT_TYPE); A(LEVEL); A(PREV_LEVEL); A(CAUSE); A(TIMESTAMP_NS);
		A(SEQ); A(MEM_TOTAL_KB); A(MEM_AVAIL_KB); A(SWAP_FREE_KB);
		A(SCAN_RATE); A(STALL_RATE); A(SWAPIN_RATE); A(SWAPOUT_RATE);
		A(REFAULT_RATE);
		printf("cmd_event %d\n", ADAPTSWAP_CMD_EVENT);
		for (int i = 0; i < __ADAPTSWAP_LEVEL_MAX; i++)
			printf("level %d %s\n", i, adaptswap_level_name(i));
		for (int i = 0; i < __ADAPTSWAP_EVENT_MAX; i++)
			printf("type %d %s\n", i, adaptswap_event_type_name(i));
		for (int i = 0; i < __ADAPTSWAP_CAUSE_MAX; i++)
			printf("cause %d %s\n", i, adaptswap_cause_name(i));
		for (int i = 0; i < ADAPTSWAP_NR_RATES; i++)
			printf("rate %d %s\n", i, adaptswap_rate_name(i));
		return 0;
	}
	EOF
	cc -std=c11 -I"$REPO/userspace/lib" -o "$BATS_TEST_TMPDIR/t" "$BATS_TEST_TMPDIR/t.c" \
		"$lib" $(pkg-config --libs libnl-genl-3.0)
	"$BATS_TEST_TMPDIR/t" > "$BATS_TEST_TMPDIR/want"
	# ... and what the agent says
	agent_py '
for num, name, kind in agent.adaptswap_msg.nla_map:
    print("attr", name, num)
print("cmd_event", agent.ADAPTSWAP_CMD_EVENT)
for what, table in (("level", agent.LEVELS), ("type", agent.TYPES),
                    ("cause", agent.CAUSES), ("rate", agent.RATES)):
    for i, n in enumerate(table):
        print(what, i, n)' > "$BATS_TEST_TMPDIR/got"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "it decodes an event and ignores the attributes it does not know" {
	# an event as the module builds it, with a padding attribute and two
	# attributes appended after today's last one
	agent_py '
import json, struct
def nla(t, payload):
    n = 4 + len(payload)
    return struct.pack("HH", n, t) + payload + bytes((4 - n % 4) % 4)
u64 = lambda v: struct.pack("Q", v)
attrs = (nla(3, b"\x00") + nla(4, b"\x02") + nla(5, b"\x01") + nla(6, b"\x03")
         + nla(1, b"") + nla(7, u64(123456789)) + nla(8, u64(42))
         + b"".join(nla(9 + i, u64(1000 + i)) for i in range(8))
         + nla(40, b"a string") + nla(41, u64(7)))
body = struct.pack("BBH", 3, 1, 0) + attrs
msg = agent.adaptswap_msg(struct.pack("IHHII", 16 + len(body), 30, 0, 0, 0) + body)
msg.decode()
print(json.dumps(agent.event(msg), separators=(",", ":")))' > "$BATS_TEST_TMPDIR/got"
	cat "$BATS_TEST_TMPDIR/got"
	want='{"seq":42,"type":"level","level":"medium","prev_level":"low","cause":"direct_reclaim",'
	want+='"timestamp_ns":123456789,"mem_total_kb":1000,"mem_avail_kb":1001,"swap_free_kb":1002,'
	want+='"scan_rate":1003,"stall_rate":1004,"swapin_rate":1005,"swapout_rate":1006,"refault_rate":1007}'
	[ "$(cat "$BATS_TEST_TMPDIR/got")" = "$want" ]
}

@test "without the module it exits 3 with a clear message; bad arguments exit 2" {
	run "$AGENT"
	echo "$output"
	[ "$status" -eq 3 ]
	[ "$output" = "adaptswap-events: the adaptswap module is not loaded" ]
	run "$AGENT" --count -1
	echo "$output"
	[ "$status" -eq 2 ]
	[[ $output == *"--count must not be negative"* ]]
	run "$AGENT" --count x
	[ "$status" -eq 2 ]
	run "$AGENT" extra
	[ "$status" -eq 2 ]
}
