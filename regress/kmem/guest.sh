# regress/kmem/guest.sh: the script regress/kmem/tests runs in each
# guest.  Looking at a sysfs or debugfs file makes the kernel allocate
# its inode and dentry, and each command forks, so every file is read
# once first, and the kernel's counts are read by one head each.  Then
# kmem -C -s, and at once the kernel's own counts: alloc_traces of every
# tracked cache and sysfs's objects of every cache (aliases too, by
# name).  Then kmem with a vmlinux (below), and the first run again
# under a load of file creation, pipes and forks.  Sections start
# with "== ".
echo 0 >/proc/sys/kernel/kptr_restrict
echo "== uname $(uname -r)"
echo "== cpus $(grep -c ^processor /proc/cpuinfo)"
# stamp STEP: the uptime as STEP ends, for check.py to say where the time went
stamp() { echo "== at:$1 $(cut -d" " -f1 /proc/uptime)"; }
stamp boot
# alloc_traces first: each sysfs file read leaves a kernfs_open_node in
# kmalloc-96 until an RCU grace period, which the traces would count
counts() {
	echo "== traces$1"
	head -n 1000000 /sys/kernel/debug/slab/*/alloc_traces 2>/dev/null
	echo "== objects$1"
	head -n 1 /sys/kernel/slab/*/objects /sys/kernel/slab/*/objs_per_slab /sys/kernel/slab/*/cpu_slabs
	head -n 1 /sys/kernel/slab/*/sheaf_capacity 2>/dev/null
}
counts >/dev/null
stamp warmup
# the warm-up's open files are freed by kfree_rcu, which waits up to
# five seconds (KFREE_DRAIN_JIFFIES) to free a batch
sleep 6
echo "== links"
ls -l /sys/kernel/slab
stamp rcuwait
KMEM_STATS=1 kmem-static -C -s >/k.out 2>/k.err
echo "== status $?"
stamp kmem
counts
stamp counts
echo "== kmem"
cat /k.out
echo "== err"
cat /k.err
# kmem's vmlinux argument: symelf makes one from kallsyms, moved back
# by the offset where KASLR put the kernel, as kmem said it.  With
# slub_debug=U it is read beside kallsyms, whose modules it lacks, for
# the sites' names; else with kallsyms hidden (KMEM_PROC: kcore
# alone), for the walk's symbols from it alone.  One moved 1MB off is
# another kernel's, to be refused.
off=$(sed -n 's/.*kernel offset \([0-9a-fx]*\)$/\1/p' /k.err)
echo "== offset $off"
cat /proc/kallsyms >/ks
symelf "$off" </ks >/vmlinux
symelf $((off + 0x100000)) </ks >/wrong
rm /ks
if grep -q slub_debug=U /proc/cmdline; then
	KMEM_STATS=1 kmem-static -C -s /vmlinux >/k.elf 2>/k.elferr
else
	mkdir -p /kp
	ln -s /proc/kcore /kp/kcore
	KMEM_PROC=/kp KMEM_STATS=1 kmem-static -C -s /vmlinux >/k.elf 2>/k.elferr
fi
echo "== elfstatus $?"
stamp vmlinux
kmem-static -C /wrong >/dev/null 2>/k.wrong
echo "== wrongstatus $?"
echo "== elf"
cat /k.elf
echo "== elferr"
cat /k.elferr
echo "== wrong"
cat /k.wrong
load() {
	i=0
	while [ $i -lt 100000 ]; do
		echo $i >/tmp/$1$i
		cat /tmp/$1$i | cat >/dev/null
		rm /tmp/$1$i
		i=$((i+1))
	done
}
load a & a=$!
sleep 1
KMEM_STATS=1 kmem-static -C -s >/k.load 2>/k.lerr
echo "== loadstatus $?"
counts 2
stamp load
kill $a
wait
echo "== load"
cat /k.load
echo "== loaderr"
cat /k.lerr
stamp end
