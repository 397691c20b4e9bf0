#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Print adaptswap's pressure events, one JSON object per line.

An agent written without libadaptswap: plain generic netlink through
pyroute2 (Debian: python3-pyroute2).  The attribute numbers are those of
<linux/adaptswap.h>, where attributes are only ever appended; attributes
this script does not know are ignored.

usage: adaptswap-events.py [--count N]
exit status: 0 done, 1 error, 2 usage, 3 the module is not loaded
"""
import argparse
import errno
import json
import sys

from pyroute2.netlink import genlmsg
from pyroute2.netlink.exceptions import NetlinkError
from pyroute2.netlink.generic import GenericNetlinkSocket

ADAPTSWAP_CMD_EVENT = 3
LEVELS = ('none', 'low', 'medium', 'critical')
TYPES = ('level', 'repeat', 'oom')
CAUSES = ('none', 'sample', 'kswapd', 'direct_reclaim', 'shrinker', 'oom',
          'knob', 'refault')
RATES = ('scan', 'stall', 'swapin', 'swapout', 'refault')


class adaptswap_msg(genlmsg):
    # (number in enum adaptswap_attr, name, type): the event's attributes
    nla_map = (
        (3, 'EVENT_TYPE', 'uint8'),
        (4, 'LEVEL', 'uint8'),
        (5, 'PREV_LEVEL', 'uint8'),
        (6, 'CAUSE', 'uint8'),
        (7, 'TIMESTAMP_NS', 'uint64'),
        (8, 'SEQ', 'uint64'),
        (9, 'MEM_TOTAL_KB', 'uint64'),
        (10, 'MEM_AVAIL_KB', 'uint64'),
        (11, 'SWAP_FREE_KB', 'uint64'),
        (12, 'SCAN_RATE', 'uint64'),
        (13, 'STALL_RATE', 'uint64'),
        (14, 'SWAPIN_RATE', 'uint64'),
        (15, 'SWAPOUT_RATE', 'uint64'),
        (16, 'REFAULT_RATE', 'uint64'),
    )


def name(table, value):
    return table[value] if value is not None and value < len(table) else '?'


def event(msg):
    """The event in msg as a dict (the keys of adaptswapctl events --json)."""
    get = msg.get_attr
    ev = {
        'seq': get('SEQ'),
        'type': name(TYPES, get('EVENT_TYPE')),
        'level': name(LEVELS, get('LEVEL')),
        'prev_level': name(LEVELS, get('PREV_LEVEL')),
        'cause': name(CAUSES, get('CAUSE')),
        'timestamp_ns': get('TIMESTAMP_NS'),
        'mem_total_kb': get('MEM_TOTAL_KB'),
        'mem_avail_kb': get('MEM_AVAIL_KB'),
        'swap_free_kb': get('SWAP_FREE_KB'),
    }
    for r in RATES:
        ev[r + '_rate'] = get(r.upper() + '_RATE')
    return ev


def main(argv=None):
    p = argparse.ArgumentParser(description='Print adaptswap events as JSON.')
    p.add_argument('--count', type=int, default=0, metavar='N',
                   help='exit after N events (default: run until killed)')
    args = p.parse_args(argv)
    if args.count < 0:
        p.error('--count must not be negative')

    sock = GenericNetlinkSocket()
    sock.module_err_level = 'debug'     # our own message below
    try:
        # resolving the family loads the module if it is installed
        sock.bind('adaptswap', adaptswap_msg)
        sock.add_membership('events')
    except NetlinkError as e:
        if e.code != errno.ENOENT:
            raise
        print('adaptswap-events: the adaptswap module is not loaded',
              file=sys.stderr)
        return 3
    print('adaptswap-events: listening for events', file=sys.stderr,
          flush=True)

    seen, last = 0, None
    while not args.count or seen < args.count:
        try:
            msgs = sock.get()
        except OSError as e:
            if e.errno != errno.ENOBUFS:
                raise
            print('adaptswap-events: receive buffer overrun, events lost',
                  file=sys.stderr)
            continue
        for msg in msgs:
            if msg['cmd'] != ADAPTSWAP_CMD_EVENT:
                continue
            ev = event(msg)
            if last is not None and ev['seq'] > last + 1:
                print('adaptswap-events: %d event(s) missed before seq %d'
                      % (ev['seq'] - last - 1, ev['seq']), file=sys.stderr)
            last = ev['seq']
            print(json.dumps(ev, separators=(',', ':')), flush=True)
            seen += 1
            if seen == args.count:
                break
    sock.close()
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
    except (OSError, NetlinkError) as e:
        print('adaptswap-events: %s' % e, file=sys.stderr)
        sys.exit(1)
