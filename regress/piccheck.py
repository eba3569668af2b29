#!/usr/bin/python3
"""piccheck: does leak -b's picture show what leak's block table says?

	piccheck.py PICTURE BLOCKS LEGEND RES WIDTH [TRUTH]

PICTURE is leak -b's output in any form (read back by imgdecode.py),
BLOCKS the table LEAK_BLOCKS wrote (CHUNK SIZE leak|alloc|free),
LEGEND leak -b's standard error (one "row Y: 0xSTART-0xEND kind" line
per region).  Every pixel must have the colour that acidleak's rules
give the bytes it covers.  With TRUTH (regress/truth.h), the target's
own leaked blocks must show dark red data and held ones blue.
Prints what differs; exits 1 if anything does.
"""
import bisect
import re
import sys

import imgdecode

Chdr, Cleakhdr, Cleak, Calloc, Cfree, Cpad = 54, 240, 205, 2, 252, 255
Hdrsz = 16


def indexrows(img):
	"""the picture as rgbv indices, whatever its channel"""
	if img.chan == "m8":
		return [list(r) for r in img.rows]
	inv = {imgdecode.rgbv(c): c for c in range(256)}
	rows = []
	for r in img.rows:
		rows.append([inv.get(r[i] << 16 | r[i+1] << 8 | r[i+2], -1) for i in range(0, len(r), 3)])
	return rows


def regions(legend):
	regs = []
	for l in open(legend):
		m = re.search(r"-b: row (\d+): 0x([0-9a-f]+)-0x([0-9a-f]+) ", l)
		if m:
			regs.append((int(m.group(1)), int(m.group(2), 16), int(m.group(3), 16)))
	return regs


def blocks(path):
	"""(chunk, size, state, the address malloc returned) of each line"""
	bs = []
	for l in open(path):
		a, n, st, p = l.split()
		bs.append((int(a, 16), int(n, 16), st, int(p, 16)))
	bs.sort()
	return bs


def colour(bs, starts, lo, hi):
	"""acidleak's colour for the bytes [lo,hi)"""
	hdr = leakhdr = leak = alloc = False
	i = max(bisect.bisect_right(starts, lo) - 1, 0)
	while i < len(bs) and bs[i][0] < hi:
		c, n, st, _ = bs[i]
		i += 1
		if c + n <= lo:
			continue
		if lo < c + Hdrsz and hi > c:
			if st == "leak":
				leakhdr = True
			else:
				hdr = True
		if lo < c + n and hi > c + Hdrsz and st != "free":
			if st == "leak":
				leak = True
			else:
				alloc = True
	if hdr:
		return Chdr
	if leakhdr:
		return Cleakhdr
	if leak:
		return Cleak
	if alloc:
		return Calloc
	return Cfree


def expect(regs, bs, res, width, height):
	starts = [b[0] for b in bs]
	want = [[Cpad] * width for _ in range(height)]
	for first, start, end in regs:
		npx = (end - start + res - 1) // res
		for i in range(npx):
			lo = start + i * res
			want[first + i // width][i % width] = colour(bs, starts, lo, min(lo + res, end))
	return want


def where(regs, res, width, y, x):
	for first, start, end in reversed(regs):
		if y >= first:
			return start + ((y - first) * width + x) * res
	return None


def main():
	if len(sys.argv) not in (6, 7):
		sys.exit(__doc__)
	pic, blk, leg, res, width = sys.argv[1:6]
	res, width = int(res), int(width)
	img = imgdecode.read(pic)
	rows = indexrows(img)
	regs = regions(leg)
	bs = blocks(blk)
	bad = []
	if img.width != width:
		bad.append("width %d, want %d" % (img.width, width))
	want = expect(regs, bs, res, width, img.height)
	for y in range(min(img.height, len(want))):
		for x in range(width):
			if rows[y][x] != want[y][x]:
				bad.append("row %d pixel %d (0x%x): colour %d, want %d" %
					(y, x, where(regs, res, width, y, x) or 0, rows[y][x], want[y][x]))
	last = max((f + ((e - s + res - 1) // res + width - 1) // width for f, s, e in regs), default=1)
	if img.height != last:
		bad.append("height %d, want %d" % (img.height, last))
	if len(sys.argv) == 7:
		bad += truthcheck(sys.argv[6], regs, res, width, rows, bs)
	if open(pic, "rb").read(8) == b"\x89PNG\r\n\x1a\n":
		bad += pillow(pic, rows)
	for b in bad[:20]:
		print(b)
	if bad:
		print("%d differences" % len(bad))
		sys.exit(1)


def pillow(path, rows):
	"""Pillow (python3-pil) must open the PNG and see the same colours"""
	from PIL import Image
	im = Image.open(path)
	im.load()
	if im.size != (len(rows[0]), len(rows)):
		return ["Pillow: size %s, want %dx%d" % (im.size, len(rows[0]), len(rows))]
	rgb = im.convert("RGB")
	bad = []
	for y in range(len(rows)):
		for x in range(len(rows[0])):
			r, g, b = rgb.getpixel((x, y))
			if (r << 16 | g << 8 | b) != imgdecode.rgbv(rows[y][x]):
				bad.append("Pillow: row %d pixel %d is #%02x%02x%02x, want index %d" % (y, x, r, g, b, rows[y][x]))
				if len(bad) > 5:
					return bad
	return bad


def inside(regs, res, width, rows, a, n):
	"""the colour of the first pixel wholly inside [a, a+n), or None"""
	for first, start, end in regs:
		if start <= a < end:
			p = start + -(-(a - start) // res) * res
			if p + res > min(a + n, end):
				return None
			i = (p - start) // res
			return rows[first + i // width][i % width]
	return None


def truthcheck(path, regs, res, width, rows, bs):
	"""the target's own blocks, from its truth: data dark red if leaked, blue if held"""
	fate = {}
	for l in open(path):
		f = l.split()
		if f and f[0] in ("leak", "held", "free"):
			fate[int(f[1], 16)] = (f[0], int(f[3], 16))
	table = {p: st for c, n, st, p in bs}
	bad = []
	checked = 0
	for a, (st, use) in sorted(fate.items()):
		if st == "free":
			continue
		if table.get(a) != ("leak" if st == "leak" else "alloc"):
			bad.append("truth: %s block 0x%x is %s in leak's table" % (st, a, table.get(a)))
		c = inside(regs, res, width, rows, a, use)
		if c is None:
			continue
		checked += 1
		want = Cleak if st == "leak" else Calloc
		if c != want:
			bad.append("truth: %s block 0x%x shows colour %d, want %d" % (st, a, c, want))
	if checked == 0:
		bad.append("truth: no block of the target's is a whole pixel wide")
	return bad


if __name__ == "__main__":
	main()
