// trial-kv: a small key-value server on 127.0.0.1 for trying leak and
// umem on a busy C++ program.  One thread per connection (or, with -p
// N, a pool of N workers fed by a queue); the store is a std::map of
// shared_ptr<std::string> and an unordered_map of vectors.  Requests,
// one a line:
//	SET k v		store v (a string of at least 24 bytes, so on the heap)
//	GET k		the value or NONE
//	DEL k		OK or NONE
//	PUSH k n	append n to k's vector; reply its length
//	THROW n		throw and catch an exception; reply ERR n
//	LEAK n		allocate a block of n (>= 16) bytes, lose it; reply its number
//	STATS		requests errors leaked keys
//	ECHO text	text
//	QUIT
// A leaked block starts with the word Leakmagic and then its number, so
// a report's W0 W1 (without tags) say which leaked block it is.
// Every live value starts with "LIVE", so a report that shows it as
// W0 names a block the map still holds.  Prints "port N" then "ready".
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

enum {
	Leakmagic = 0x6b61656c,	// "leak": too small to be a pointer
	Maxline = 1 << 16,	// longest request line
	Maxleak = 1 << 20,	// largest LEAK block
};

static std::mutex storelock;
static std::map<std::string, std::shared_ptr<std::string>> store;
static std::unordered_map<std::string, std::vector<long>> lists;
static std::atomic<long> nrequests, nerrors, nleaked;

struct Bad : std::runtime_error {
	long n;
	Bad(const std::string &s, long n) : std::runtime_error(s), n(n) {}
};

static std::string
leakone(long size)
{
	if(size < 16 || size > Maxleak)
		throw Bad("LEAK size out of range", size);
	long n = ++nleaked;
	long *p = static_cast<long *>(malloc(size));
	if(p == nullptr)
		throw Bad("out of memory", size);
	memset(p, 0x5a, size);
	p[0] = Leakmagic;
	p[1] = n;
	// the compiler must believe the block is read, or it drops the stores
	asm volatile("" : : "r"(p) : "memory");
	return std::to_string(n);
}

static std::string
thrower(long n)
{
	std::vector<std::string> junk;
	for(long i = 0; i < n % 8; i++)
		junk.push_back(std::string(40, 'a' + i));
	throw Bad("thrown on request " + std::to_string(n), n);
}

static std::string
request(const std::string &line)
{
	std::istringstream in(line);
	std::string op, k, v;
	in >> op;
	if(op == "SET"){
		in >> k;
		std::getline(in >> std::ws, v);
		if(k.empty() || v.compare(0, 4, "LIVE") != 0)
			throw Bad("SET wants a key and a LIVE value", 0);
		auto val = std::make_shared<std::string>(v);
		std::lock_guard<std::mutex> g(storelock);
		store[k] = val;
		return "OK";
	}
	if(op == "GET"){
		in >> k;
		std::shared_ptr<std::string> val;
		{
			std::lock_guard<std::mutex> g(storelock);
			auto i = store.find(k);
			if(i != store.end())
				val = i->second;
		}
		return val ? *val : "NONE";
	}
	if(op == "DEL"){
		in >> k;
		std::lock_guard<std::mutex> g(storelock);
		return store.erase(k) ? "OK" : "NONE";
	}
	if(op == "PUSH"){
		long n = 0;
		in >> k >> n;
		std::lock_guard<std::mutex> g(storelock);
		auto &l = lists[k];
		l.push_back(n);
		return std::to_string(l.size());
	}
	if(op == "THROW"){
		long n = 0;
		in >> n;
		return thrower(n);
	}
	if(op == "LEAK"){
		long n = 0;
		in >> n;
		return leakone(n);
	}
	if(op == "STATS"){
		size_t nk;
		{
			std::lock_guard<std::mutex> g(storelock);
			nk = store.size();
		}
		return std::to_string(nrequests.load()) + " " + std::to_string(nerrors.load()) +
			" " + std::to_string(nleaked.load()) + " " + std::to_string(nk);
	}
	if(op == "ECHO"){
		std::getline(in >> std::ws, v);
		return v;
	}
	throw Bad("unknown request " + op, 0);
}

static bool
sendall(int fd, const std::string &s)
{
	size_t off = 0;
	while(off < s.size()){
		ssize_t n = write(fd, s.data() + off, s.size() - off);
		if(n <= 0)
			return false;
		off += n;
	}
	return true;
}

static void
serve(int fd)
{
	std::string buf, reply;
	char tmp[4096];
	for(;;){
		size_t nl;
		while((nl = buf.find('\n')) == std::string::npos){
			if(buf.size() > Maxline)
				goto out;
			ssize_t n = read(fd, tmp, sizeof tmp);
			if(n <= 0)
				goto out;
			buf.append(tmp, n);
		}
		std::string line = buf.substr(0, nl);
		buf.erase(0, nl + 1);
		if(line == "QUIT")
			break;
		nrequests++;
		try{
			reply = request(line);
		}catch(Bad &e){
			nerrors++;
			reply = "ERR " + std::to_string(e.n);
		}
		reply += '\n';
		if(!sendall(fd, reply))
			break;
	}
out:
	close(fd);
}

// the pool's queue of accepted connections
static std::mutex qlock;
static std::condition_variable qcond;
static std::deque<int> queue;

static void
worker()
{
	for(;;){
		int fd;
		{
			std::unique_lock<std::mutex> g(qlock);
			qcond.wait(g, []{ return !queue.empty(); });
			fd = queue.front();
			queue.pop_front();
		}
		serve(fd);
	}
}

int
main(int argc, char **argv)
{
	int pool = 0, port = 0, c;

	while((c = getopt(argc, argv, "p:P:")) != -1)
		switch(c){
		case 'p': pool = atoi(optarg); break;
		case 'P': port = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: trial-kv [-p nworkers] [-P port]\n");
			return 2;
		}
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	sockaddr_in a{};
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof a;
	if(bind(s, (sockaddr *)&a, sizeof a) < 0 || listen(s, 128) < 0 ||
	   getsockname(s, (sockaddr *)&a, &al) < 0){
		perror("trial-kv: bind");
		return 1;
	}
	for(int i = 0; i < pool; i++)
		std::thread(worker).detach();
	printf("port %d\nready\n", ntohs(a.sin_port));
	fflush(stdout);
	for(;;){
		int fd = accept(s, nullptr, nullptr);
		if(fd < 0){
			if(errno == EINTR)
				continue;
			perror("trial-kv: accept");
			return 1;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if(pool == 0){
			std::thread(serve, fd).detach();
			continue;
		}
		std::lock_guard<std::mutex> g(qlock);
		queue.push_back(fd);
		qcond.notify_one();
	}
}
