// trial-kvload: a bounded load on trial-kv.  Each of nthreads clients
// sends nreq requests on its own keys (prefixed by run, so runs do not
// collide), reconnecting every reconnect requests, and checks every
// reply against what it stored.  One in leakevery requests is a LEAK.
// Prints one line:
//	sent N bad B leaks L throws T timeouts O maxms M
// and exits 1 if any reply was wrong or late.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

enum {
	Nkeys = 32,		// keys per client
	Timeout = 20,		// seconds a reply may take before it counts as lost
};

static int port, nreq, reconnect, leakevery;
static std::string run;
static std::atomic<long> nsent, nbad, nleaks, nthrows, ntimeouts, maxms;

struct Conn {
	int fd = -1;
	std::string buf;

	bool
	open()
	{
		fd = socket(AF_INET, SOCK_STREAM, 0);
		timeval tv = {Timeout, 0};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		sockaddr_in a{};
		a.sin_family = AF_INET;
		a.sin_port = htons(port);
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return connect(fd, (sockaddr *)&a, sizeof a) == 0;
	}

	void
	close()
	{
		if(fd >= 0){
			(void)!write(fd, "QUIT\n", 5);
			::close(fd);
		}
		fd = -1;
		buf.clear();
	}

	// 0 ok, -1 timeout, -2 error
	int
	ask(const std::string &req, std::string &reply)
	{
		std::string r = req + "\n";
		if(write(fd, r.data(), r.size()) != (ssize_t)r.size())
			return -2;
		nsent++;
		size_t nl;
		char tmp[4096];
		while((nl = buf.find('\n')) == std::string::npos){
			ssize_t n = read(fd, tmp, sizeof tmp);
			if(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return -1;
			if(n <= 0)
				return -2;
			buf.append(tmp, n);
		}
		reply = buf.substr(0, nl);
		buf.erase(0, nl + 1);
		return 0;
	}
};

static void
bad(const std::string &req, const std::string &got, const std::string &want)
{
	if(nbad++ < 10)
		fprintf(stderr, "trial-kvload: %s: got '%.80s' want '%.80s'\n",
			req.c_str(), got.c_str(), want.c_str());
}

static void
client(int id)
{
	unsigned seed = id * 7919 + 1;
	std::map<std::string, std::string> mine;
	std::map<std::string, long> lens;
	Conn c;
	if(!c.open()){
		bad("connect", "refused", "open");
		return;
	}
	for(int i = 0; i < nreq; i++){
		if(reconnect > 0 && i > 0 && i % reconnect == 0){
			c.close();
			if(!c.open()){
				bad("connect", "refused", "open");
				return;
			}
		}
		std::string k = run + "c" + std::to_string(id) + "k" + std::to_string(rand_r(&seed) % Nkeys);
		int r = rand_r(&seed) % 100;
		std::string req, want;
		if(leakevery > 0 && rand_r(&seed) % leakevery == 0){
			req = "LEAK " + std::to_string(16 + rand_r(&seed) % 300);
			want = "";	// a number
		}else if(r < 35){
			std::string v = "LIVE-" + k + "-" + std::to_string(i) + std::string(rand_r(&seed) % 200, 'v');
			req = "SET " + k + " " + v;
			want = "OK";
			mine[k] = v;
		}else if(r < 70){
			req = "GET " + k;
			auto f = mine.find(k);
			want = f == mine.end() ? "NONE" : f->second;
		}else if(r < 80){
			req = "DEL " + k;
			want = mine.erase(k) ? "OK" : "NONE";
		}else if(r < 88){
			long n = rand_r(&seed);
			req = "PUSH " + k + " " + std::to_string(n);
			want = std::to_string(++lens[k]);
		}else if(r < 94){
			long n = rand_r(&seed) % 1000;
			req = "THROW " + std::to_string(n);
			want = "ERR " + std::to_string(n);
			nthrows++;
		}else{
			req = "ECHO " + std::string(1 + rand_r(&seed) % 3000, 'e') + std::to_string(i);
			want = req.substr(5);
		}
		std::string got;
		auto t0 = std::chrono::steady_clock::now();
		int st = c.ask(req, got);
		long ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
		for(long m = maxms; ms > m && !maxms.compare_exchange_weak(m, ms);)
			;
		if(st == -1){
			ntimeouts++;
			bad(req, "timeout", want);
			return;
		}
		if(st == -2){
			bad(req, "connection lost", want);
			return;
		}
		if(req.compare(0, 5, "LEAK ") == 0){
			if(got.empty() || got.find_first_not_of("0123456789") != std::string::npos)
				bad(req, got, "a number");
			else
				nleaks++;
		}else if(got != want)
			bad(req, got, want);
	}
	c.close();
}

int
main(int argc, char **argv)
{
	if(argc != 7){
		fprintf(stderr, "usage: trial-kvload port run nthreads nreq reconnect leakevery\n");
		return 2;
	}
	port = atoi(argv[1]);
	run = argv[2];
	int nthreads = atoi(argv[3]);
	nreq = atoi(argv[4]);
	reconnect = atoi(argv[5]);
	leakevery = atoi(argv[6]);
	std::vector<std::thread> ts;
	for(int i = 0; i < nthreads; i++)
		ts.emplace_back(client, i);
	for(auto &t : ts)
		t.join();
	printf("sent %ld bad %ld leaks %ld throws %ld timeouts %ld maxms %ld\n",
		nsent.load(), nbad.load(), nleaks.load(), nthrows.load(), ntimeouts.load(), maxms.load());
	return nbad > 0;
}
