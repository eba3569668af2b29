#!/usr/bin/env python3
"""shrink.py CORE OUT: a core made small enough to fuzz, still one
leak reads.  What leak needs stays as it was: the notes it reads
(threads, registers, auxv, NT_FILE) and every writable segment, where
the heaps, the allocators' state and the roots are.  What it can do
without goes: gdb's target description, the xsave area (fxsave's copy
of the vector registers stays), the bytes of read-only segments that are
the file's own bytes (leak reads a file mapping's from the file, as
for a kernel core that left them out; relocated RELRO differs and
stays), and each stack's dead part below its thread's stack
pointer, a stack being mostly untouched pages."""

import struct, sys

PT_LOAD, PT_NOTE = 1, 4
PF_W = 2
NT_PRSTATUS, NT_FPREGSET, NT_PRPSINFO, NT_AUXV, NT_FILE = 1, 2, 3, 6, 0x46494c45
KEEP = {(b"CORE", t) for t in (NT_PRSTATUS, NT_FPREGSET, NT_PRPSINFO, NT_AUXV, NT_FILE)}
PAGE = 4096
REDZONE = 128		# the x86-64 ABI's: live bytes below the stack pointer
RSP = 112 + 19*8	# offset of rsp in elf_prstatus: pr_reg at 112, rsp its 20th word
EHDR, PHDR = 64, 56

def pad4(n):
	return (n + 3) & ~3

def notes(buf):
	"""each note in buf as (name, type, desc)"""
	off = 0
	while off + 12 <= len(buf):
		nsz, dsz, typ = struct.unpack_from("<III", buf, off)
		name = buf[off+12:off+12+nsz].rstrip(b"\0")
		doff = off + 12 + pad4(nsz)
		yield name, typ, buf[doff:doff+dsz]
		off = doff + pad4(dsz)

def note(name, typ, desc):
	n = name + b"\0"
	return (struct.pack("<III", len(n), len(desc), typ) + n + b"\0"*(pad4(len(n))-len(n))
		+ desc + b"\0"*(pad4(len(desc))-len(desc)))

def files(desc):
	"""NT_FILE's mappings as (start, end, file offset, path)"""
	count, page = struct.unpack_from("<QQ", desc, 0)
	names = desc[16 + 24*count:].split(b"\0")
	for i in range(count):
		start, end, pgoff = struct.unpack_from("<QQQ", desc, 16 + 24*i)
		yield start, end, pgoff*page, names[i]

def unchanged(data, vaddr, maps):
	"""whether data at vaddr is its file's bytes, as leak would read them"""
	for start, end, off, path in maps:
		if start <= vaddr < end and vaddr + len(data) <= end:
			try:
				with open(path, "rb") as f:
					f.seek(off + vaddr - start)
					return f.read(len(data)) == data
			except OSError:
				return False
	return False

def main(src, dst):
	core = open(src, "rb").read()
	phoff, = struct.unpack_from("<Q", core, 32)
	phnum, = struct.unpack_from("<H", core, 56)
	ph = [list(struct.unpack_from("<IIQQQQQQ", core, phoff + i*PHDR)) for i in range(phnum)]
	kept = b""
	sps = []
	maps = []
	for p in ph:
		if p[0] != PT_NOTE:
			continue
		for name, typ, desc in notes(core[p[2]:p[2]+p[5]]):
			if (name, typ) in KEEP:
				kept += note(name, typ, desc)
			if (name, typ) == (b"CORE", NT_PRSTATUS) and len(desc) >= RSP + 8:
				sps.append(struct.unpack_from("<Q", desc, RSP)[0])
			if (name, typ) == (b"CORE", NT_FILE):
				maps = list(files(desc))
	out = bytearray(EHDR + PHDR*phnum)
	out[:EHDR] = core[:EHDR]
	struct.pack_into("<QH", out, 32, EHDR, 0)
	struct.pack_into("<HH", out, 54, PHDR, phnum)
	first = True
	for i, p in enumerate(ph):
		typ, flags, off, vaddr, paddr, filesz, memsz, align = p
		data = b""
		if typ == PT_NOTE:
			if first:
				data = kept
				filesz = len(kept)
			else:
				filesz = 0
			first = False
		elif typ == PT_LOAD and flags & PF_W:
			data = core[off:off+filesz]
			for sp in sps:
				if vaddr <= sp < vaddr + memsz:
					cut = max(vaddr, (sp - REDZONE) & ~(PAGE-1))
					data = data[cut-vaddr:]
					memsz -= cut - vaddr
					filesz -= cut - vaddr
					vaddr = cut
		elif typ == PT_LOAD and unchanged(core[off:off+filesz], vaddr, maps):
			filesz = 0
		elif typ == PT_LOAD:
			data = core[off:off+filesz]
		struct.pack_into("<IIQQQQQQ", out, EHDR + i*PHDR, typ, flags, len(out) if data else 0,
			vaddr, paddr, len(data) if data else filesz, memsz, align)
		out += data
	open(dst, "wb").write(out)

if __name__ == "__main__":
	if len(sys.argv) != 3:
		sys.exit("usage: shrink.py core out")
	main(sys.argv[1], sys.argv[2])
