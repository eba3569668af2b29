#!/usr/bin/env python3
# regress/kmem/fixture.py DIR KIND: a made-up /proc for kmem under
# KMEM_PROC=DIR.  KIND says what DIR/kcore is: none, garbage,
# notkernel (an ELF core without VMCOREINFO), kernel (with it),
# overlap (two segments over each other),
# truncated (a kernel's core cut short).  allocinfo and slabinfo
# are written when KIND has +allocinfo or +badslab, and kallsyms, its
# kernel moved by KERNELOFFSET, with +kallsyms.
import os, struct, sys

def note(name, typ, desc):
    n = name.encode() + b'\0'
    pad = lambda b: b + b'\0' * (-len(b) % 4)
    return struct.pack('<III', len(n), len(desc), typ) + pad(n) + pad(desc)

def core(loads, notes):
    # ELF64 header, then program headers, then the notes, then the bytes
    nph = len(loads) + (1 if notes else 0)
    off = 64 + 56 * nph
    ph = b''
    body = b''
    if notes:
        ph += struct.pack('<IIQQQQQQ', 4, 0, off, 0, 0, len(notes), 0, 4)
        body += notes
    for vaddr, data, memsz in loads:
        ph += struct.pack('<IIQQQQQQ', 1, 6, off + len(body), vaddr, 0, len(data), memsz, 4096)
        body += data
    eh = b'\x7fELF' + bytes([2, 1, 1, 0]) + b'\0' * 8
    eh += struct.pack('<HHIQQQIHHHHHH', 4, 62, 1, 0, 64, 0, 0, 64, 56, nph, 64, 0, 0)
    return eh + ph + body

d, kind = sys.argv[1], sys.argv[2]
os.makedirs(d, exist_ok=True)
base = kind.split('+')[0]
info = b'OSRELEASE=6.1.0-test\nKERNELOFFSET=1e000000\nPAGESIZE=4096\n'
k = {
    'garbage': b'this is not an ELF file\n',
    'notkernel': core([(0x1000, b'\1' * 64, 64)], b''),
    'kernel': core([(0xffffffff81000000, b'\2' * 64, 64)], note('VMCOREINFO', 0, info)),
    'truncated': core([(0xffffffff81000000, b'\2' * 64, 64)], note('VMCOREINFO', 0, info))[:-64],
    'overlap': core([(0x1000, b'\1' * 64, 0x2000), (0x2000, b'\2' * 64, 64)], b''),
}.get(base)
if k is not None:
    open(os.path.join(d, 'kcore'), 'wb').write(k)
slab = ['slabinfo - version: 2.1',
        '# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>',
        'dentry             300    400    192   21    1 : tunables    0    0    0 : slabdata     19     19      0',
        'kmalloc-64        1000   1024     64   64    1 : tunables    0    0    0 : slabdata     16     16      0',
        'empty                0      0     32  128    1 : tunables    0    0    0 : slabdata      0      0      0']
if '+badslab' in kind:
    slab.append('kmalloc-8 lots 3 8 512 1')
open(os.path.join(d, 'slabinfo'), 'w').write('\n'.join(slab) + '\n')
if '+kallsyms' in kind:
    ks = ['ffffffff9f000000 T _text',
          'ffffffff9f001000 T startup_64',
          'ffffffff9f100000 t __d_alloc',
          'ffffffff9f101000 W weak_function',
          'ffffffffa0000000 D init_task',
          'ffffffffa0100000 d slab_caches',
          'ffffffffa0200000 B page_offset_base',
          '0000000000001000 A fixed_percpu_data',
          'ffffffffc0000000 t evil_alloc\t[evil]']
    open(os.path.join(d, 'kallsyms'), 'w').write('\n'.join(ks) + '\n')
if '+allocinfo' in kind:
    a = [b'allocinfo - version: 1.0',
         b'#     <size>  <calls> <tag info>',
         b'        4096        1 mm/percpu.c:1722 func:pcpu_alloc_noprof',
         b'       65536       16 fs/dcache.c:1690 func:__d_alloc',
         b'           0        0 fs/unused.c:1 func:never',
         b'         640       10 drivers/evil.c:7 [evil] func:name\x1b[2J\\x41',
         b'         320        5 fs/dcache.c:1690 func:__d_alloc']
    open(os.path.join(d, 'allocinfo'), 'wb').write(b'\n'.join(a) + b'\n')
