/*
 * Why the kernel would not let us attach (EPERM): each cause has its
 * own remedy, so the message names the one that holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include "heapwalk.h"
#include "fns.h"

enum { Pfkthread = 0x00200000 };	/* PF_KTHREAD in /proc/PID/stat's flags */

int
hwkthread(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long flags;

	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if(hwreadfile(path, buf, sizeof buf) < 0 || (p = strrchr(buf, ')')) == NULL)
		return 0;
	/* state ppid pgrp session tty_nr tpgid flags */
	if(sscanf(p+1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
		return 0;
	return (flags & Pfkthread) != 0;
}

static void
comm(int pid, char *buf, int n)
{
	char path[64];

	snprintf(path, sizeof path, "/proc/%d/comm", pid);
	if(hwreadfile(path, buf, n) <= 0)
		snprintf(buf, n, "?");
	buf[strcspn(buf, "\n")] = 0;
}

/* The files in /proc/PID belong to root when the process is not dumpable, whoever runs it. */
static int
nondumpable(int pid, long uid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof path, "/proc/%d/status", pid);
	return stat(path, &st) == 0 && st.st_uid == 0 && uid != 0;
}

static int
yamascope(void)
{
	char buf[16];

	if(hwreadfile("/proc/sys/kernel/yama/ptrace_scope", buf, sizeof buf) <= 0)
		return -1;
	return atoi(buf);
}

static void
otherwise(int tid, long uid)
{
	char yama[256];
	int scope;

	scope = yamascope();
	yama[0] = 0;
	if(scope == 3)
		snprintf(yama, sizeof yama, "; /proc/sys/kernel/yama/ptrace_scope is 3, "
			"which forbids tracing until reboot");
	else if(scope > 0)
		snprintf(yama, sizeof yama, "; /proc/sys/kernel/yama/ptrace_scope is %d: "
			"run as root, or set it to 0 (sysctl kernel.yama.ptrace_scope=0)", scope);
	if(uid >= 0 && uid != (long)geteuid() && geteuid() != 0)
		werrstr("cannot attach to %d: permission denied: it belongs to user %ld; "
			"run as that user or as root%s", tid, uid, yama);
	else
		werrstr("cannot attach to %d: permission denied; run as the process's owner or as root%s",
			tid, yama);
}

/* The pid tracing tid, 0 for none, -1 when it cannot be read. */
long
hwtracer(int pid, int tid)
{
	return hwstatus(pid, tid, "TracerPid:");
}

void
hwwhynot(int pid, int tid)
{
	char name[64];
	long tracer, uid;

	if(pid == getpid()){
		werrstr("process %d is this %s itself", pid, program_invocation_short_name);
		return;
	}
	if(hwkthread(pid)){
		werrstr("process %d is a kernel thread, which has no heap of its own "
			"(kmem summarizes the kernel's)", pid);
		return;
	}
	tracer = hwtracer(pid, tid);
	if(tracer > 0){
		comm(tracer, name, sizeof name);
		werrstr("cannot attach to %d: it is already traced by %ld (%s), and a process "
			"has one tracer at a time; detach that one first", tid, tracer, name);
		return;
	}
	uid = hwstatus(pid, tid, "Uid:");
	if(geteuid() != 0 && nondumpable(pid, uid)){
		werrstr("cannot attach to %d: it is not dumpable (it called prctl(PR_SET_DUMPABLE, 0) "
			"or runs a set-id program), so only root (CAP_SYS_PTRACE) may examine it", tid);
		return;
	}
	otherwise(tid, uid);
}
