#!/usr/bin/env python3
# regress/kmem/check.py OUT MODE: a guest's output (regress/kmem/guest.sh)
# checked.  MODE U (slub_debug=U): kmem -C -s's count per cache, site
# and stack (its frames) must be alloc_traces'.  MODE plain: kmem's count
# per cache must be sysfs's objects, less at most what the CPUs hold
# (cpu_slabs times objs_per_slab: sysfs counts a CPU's slabs as in use,
# kmem does not).  Both: the objects that changed between the two
# reads may differ, Churn per line and Total in all; under the load,
# which runs through both reads, LoadChurn and LoadTotal.  kmem with a
# vmlinux (made by symelf) must count as kmem did with kallsyms, within
# Churn and Total, and refuse one whose symbols are moved: KASLR must
# have moved the kernel, else the vmlinux's move goes untested.
import re, sys
# Churn, Total: a quiet guest's commands leave their address spaces'
# maple nodes waiting for RCU when they exit (sid's maple_node has
# differed by 204 in one line); LoadChurn, LoadTotal: a loop of
# file creation, pipes and forks
Churn, Total = 400, 800
LoadChurn, LoadTotal = 1000, 3000
MaxFull = 10  # full sheaves a node's barn keeps (mm/slub.c's MAX_FULL_SHEAVES)

sec, cur = {}, None
for line in open(sys.argv[1], errors='replace'):
    line = line.rstrip('\n')
    if line.startswith('== '):
        w = line[3:].split(' ', 1)
        cur = w[0]
        sec[cur] = [w[1]] if len(w) > 1 else []
    elif cur:
        sec[cur].append(line)
mode = sys.argv[2]
ncpus = int((sec.get('cpus') or ['1'])[0])
bad = []
if sec.get('status') != ['0'] or sec.get('loadstatus') != ['0']:
    bad.append('kmem exit status %s, under load %s' % (sec.get('status'), sec.get('loadstatus')))

def frame(l):
    # a frame as kmem prints it: %pS without the function's /0xsize
    return re.sub(r'/0x[0-9a-f]+', '', l.strip())

def kmemcounts(lines):
    # kmem -C -s: a count per cache, site and stack (its frames, indented)
    c, key = {}, None
    for l in lines:
        if l.startswith(' ' * 8) and key:
            n = c.pop(key)
            key = key[:2] + (key[2] + (frame(l),),)
            c[key] = c.get(key, 0) + n
            continue
        m = re.match(r'^ *(\d+) +(\d+) (\S+)(?: (.*))?$', l)
        if not m:
            bad.append('bad kmem line: ' + l)
            key = None
            continue
        key = (m.group(3), m.group(4) or '', ())
        if key in c:
            bad.append('kmem has two lines for %s %s with one stack' % key[:2])
        c[key] = c.get(key, 0) + int(m.group(1))
    return c

def heads(lines):
    # head's "==> FILE <==" then its lines: FILE's lines
    r, cur = {}, None
    for l in lines:
        m = re.match(r'^==> (.*) <==$', l)
        if m:
            cur = m.group(1)
            r[cur] = []
        elif cur is not None and l:
            r[cur].append(l)
    return r

def traces(lines):
    # alloc_traces: a count and site, its frames, a blank line; the
    # kernel splits a stack's lines by waste, summed here
    t = {}
    for f, ls in heads(lines).items():
        cache, key = f.split('/')[-2], None
        for l in ls:
            m = re.match(r'^ +(\d+) (\S+?)(/0x[0-9a-f]+)?( \[\S+\])?( |$)', l)
            if m:
                key = (cache, m.group(2) + (m.group(4) or ''), ())
                t[key] = t.get(key, 0) + int(m.group(1))
                n = int(m.group(1))
            elif key and l.startswith(' ' * 8):
                t[key] -= n
                key = key[:2] + (key[2] + (frame(l),),)
                t[key] = t.get(key, 0) + n
    return t

def objects(lines):
    # per cache: sysfs's objects, what the CPUs' slabs may hold, and
    # what sheaves can (sheaf_capacity times each CPU's three sheaves
    # and a barn's MaxFull full ones)
    h, o = heads(lines), {}
    for f, ls in h.items():
        w = f.split('/')
        if w[-1] != 'objects' or w[-2].startswith(':'):
            continue
        d = '/'.join(w[:-1])
        try:
            n = int(ls[0].split()[0])
            held = int(h[d + '/objs_per_slab'][0]) * int(h[d + '/cpu_slabs'][0].split()[0])
            cap = int(h.get(d + '/sheaf_capacity', ['0'])[0])
        except (KeyError, IndexError, ValueError):
            continue
        o[w[-2]] = (n, held, cap * (3 * ncpus + MaxFull))
    return o

def sheafed(lines):
    # kmem (KMEM_STATS) says how many objects of each cache it found in sheaves
    r = {}
    for l in lines:
        m = re.match(r'^kmem: cache (\S+): (\d+) objects in sheaves$', l)
        if m:
            r[m.group(1)] = int(m.group(2))
    return r

def compare(k, sfx, churn, total):
    diff = 0
    if mode == 'U':
        t = traces(sec.get('traces' + sfx, []))
        if not t:
            bad.append('no alloc_traces')
        if not any(key[2] for key in k):
            bad.append('%skmem -s gave no stacks' % (sfx and 'under load, '))
        for key in set(t) | set(k):
            d = abs(t.get(key, 0) - k.get(key, 0))
            diff += d
            if d > churn:
                bad.append('%s%s %s, stack of %d frames from %s: kmem %d, alloc_traces %d' % (sfx and 'under load, ',
                    key[0], key[1], len(key[2]), key[2][:1], k.get(key, 0), t.get(key, 0)))
    else:
        o = objects(sec.get('objects' + sfx, []))
        sh = sheafed(sec.get(sfx and 'loaderr' or 'err', []))
        if not o:
            bad.append('no sysfs objects')
        for (cache, site, _), n in k.items():
            if site:
                bad.append('%s: a site (%s) without slub_debug' % (cache, site))
            if cache not in o:
                bad.append('%s: not in /sys/kernel/slab' % cache)
                continue
            want, held, sheafmax = o[cache]
            if sh.get(cache, 0) > sheafmax:
                bad.append('%s%s: kmem found %d objects in sheaves, which hold at most %d' % (sfx and 'under load, ', cache, sh[cache], sheafmax))
            # sysfs counts objects in sheaves as in use: kmem's and its sheaves' are sysfs's
            d = max(0, n + sh.get(cache, 0) - want, want - held - n - sh.get(cache, 0))
            diff += d
            if d > churn:
                bad.append('%s%s: kmem %d and %d in sheaves, sysfs objects %d, of which the CPUs may hold %d' % (sfx and 'under load, ',
                    cache, n, sh.get(cache, 0), want, held))
        # an alias is a link to its cache's directory: a cache is seen if any of its names is
        target = {}
        for l in sec.get('links', []):
            m = re.search(r' (\S+) -> (\S+)$', l)
            if m:
                target[m.group(1)] = m.group(2)
        seen = set(target.get(c, c) for c, _, _ in k)
        for cache, (n, held, _) in o.items():
            if target.get(cache, cache) not in seen and n > held + churn:
                bad.append('%s: %d objects in sysfs, none in kmem' % (cache, n))
    if diff > total:
        bad.append('%s%d objects differ in all, more than %d' % (sfx and 'under load, ', diff, total))
    return diff

def vmlinux():
    # kmem VMLINUX against the kallsyms run just before it
    off = (sec.get('offset') or [''])[0]
    try:
        moved = int(off, 16)
    except ValueError:
        moved = 0
    # KASLR leaves the kernel in place about one boot in 500: the suite
    # fails only when no guest was moved (regress/kmem/tests)
    print('offset %#x' % moved)
    if sec.get('elfstatus') != ['0']:
        bad.append('kmem VMLINUX exit status %s: %s' % (sec.get('elfstatus'), sec.get('elferr', [])[-1:]))
    said = ' checked against /proc/kallsyms' if mode == 'U' else 'symbols serve alone'
    if not any(said in l for l in sec.get('elferr', [])):
        bad.append('kmem VMLINUX does not say %r' % said)
    if sec.get('wrongstatus') != ['1'] or not any('does not match the running kernel' in l for l in sec.get('wrong', [])):
        bad.append('kmem with a moved vmlinux: exit status %s, %s' % (sec.get('wrongstatus'), sec.get('wrong', [])[-1:]))
    a, e = kmemcounts(sec.get('kmem', [])), kmemcounts(sec.get('elf', []))
    if not e:
        bad.append('kmem VMLINUX printed nothing')
    diff = 0
    for key in set(a) | set(e):
        d = abs(a.get(key, 0) - e.get(key, 0))
        diff += d
        if d > Churn:
            bad.append('with the vmlinux, %s %s, stack of %d frames from %s: %d, with kallsyms %d' % (key[0], key[1],
                len(key[2]), key[2][:1], e.get(key, 0), a.get(key, 0)))
    if diff > Total:
        bad.append('with the vmlinux, %d objects differ from kallsyms\'s in all, more than %d' % (diff, Total))
    return diff

quiet = compare(kmemcounts(sec.get('kmem', [])), '', Churn, Total)
loaded = compare(kmemcounts(sec.get('load', [])), '2', LoadChurn, LoadTotal)
elf = vmlinux()
for e in sec.get('err', []) + sec.get('loaderr', []) + sec.get('elferr', []):
    m = re.search(r'kmem: (\d+) ms, (\d+) KB', e)
    if m:
        print('time %s ms, %s KB' % (m.group(1), m.group(2)))
# guest.sh's stamps (uptime at each step): where a guest's time went
st = [(k[3:], float(v[0])) for k, v in sec.items() if k.startswith('at:') and v and re.match(r'^[0-9.]+$', v[0])]
if st:
    print('phases %s %.0fs' % st[0] + ''.join(', %s %.0fs' % (st[i][0], st[i][1] - st[i - 1][1]) for i in range(1, len(st))))
print('differ %d quiet, %d under load, %d with the vmlinux' % (quiet, loaded, elf))
for b in bad[:30]:
    print('BAD ' + b)
sys.exit(1 if bad else 0)
