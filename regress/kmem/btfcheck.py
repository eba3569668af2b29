#!/usr/bin/env python3
# regress/kmem/btfcheck.py RAW LAYOUT: kmem -l's layout (LAYOUT) against
# bpftool's raw dump of the same BTF (RAW), an independent reading.
# Prints each field that differs; anonymous members are followed as
# the kernel's C would reach them.
import re, sys

types, members, enums = {}, {}, {}
cur = None
for line in open(sys.argv[1]):
    m = re.match(r"\[(\d+)\] (\w+) '([^']*)'(.*)", line)
    if m:
        cur = int(m.group(1))
        a = dict(re.findall(r'(\w+)=(\S+)', m.group(4)))
        types[cur] = (m.group(2), m.group(3), a)
        members[cur] = []
        continue
    m = re.match(r"\t'([^']*)' type_id=(\d+) bits_offset=(\d+)(?: bitfield_size=(\d+))?", line)
    if m and cur is not None:
        members[cur].append((m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4) or 0)))
        continue
    m = re.match(r"\t'([^']*)' val=(-?\d+)", line)
    if m:
        enums[m.group(1)] = int(m.group(2))

def size(t):
    kind, _, a = types[t]
    if kind in ('INT', 'STRUCT', 'UNION', 'ENUM', 'ENUM64'):
        return int(a['size'])
    if kind == 'PTR':
        return 8
    if kind == 'ARRAY':
        return int(a['nr_elems']) * size(int(a['type_id']))
    return size(int(a['type_id']))

def find(t, name, base=0):
    for n, ty, off, bits in members.get(t, []):
        if n == name:
            return base + off, bits, ty
        if n == '(anon)':
            r = find(ty, name, base + off)
            if r:
                return r
    return None

def struct(name):
    for i, (k, n, _) in types.items():
        if k in ('STRUCT', 'UNION') and n == name:
            return i

bad = 0
for line in open(sys.argv[2]):
    w = line.split()
    if w[0] == 'sizeof':
        want = size(struct(w[1]))
        got = int(w[2])
    elif w[0] == 'SLAB_STORE_USER':
        want = 1 << enums['_SLAB_STORE_USER'] if '_SLAB_STORE_USER' in enums else 0x10000
        got = int(w[1], 16)
    else:
        t, m = w[0].split('.')
        s = struct(t)
        r = find(s, m) if s is not None else None
        if r is None:
            want = 'absent'
        elif r[1]:
            want = 'bit %d width %d' % (r[0], r[1])
        else:
            want = '%d size %d' % (r[0] // 8, size(r[2]))
        got = ' '.join(w[1:])
    if str(want) != str(got):
        print('%s: kmem says %s, bpftool %s' % (w[0], got, want))
        bad = 1
sys.exit(bad)
