/* Descriptors and events: a unix socket pair passing a descriptor with
 * SCM_RIGHTS, epoll on a socket pair, a timerfd, an eventfd, a signalfd (the
 * guest's siginfo layout), inotify, poll, a TCP connection on loopback and a
 * netlink route socket. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <unistd.h>

static void scm_rights(void) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) { perror("socketpair"); return; }
    int p[2];
    if (pipe(p) != 0) return;
    char byte = 'x';
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &p[1], sizeof(int));
    if (sendmsg(sv[0], &msg, 0) != 1) { perror("sendmsg"); return; }
    char got;
    struct msghdr rmsg = {.msg_iov = &(struct iovec){.iov_base = &got, .iov_len = 1}, .msg_iovlen = 1,
                          .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    memset(u.buf, 0, sizeof u.buf);
    if (recvmsg(sv[1], &rmsg, 0) != 1) { perror("recvmsg"); return; }
    int fd;
    memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&rmsg)), sizeof(int));
    if (write(fd, "through a passed fd", 19) != 19) return;
    char buf[32] = {0};
    ssize_t n = read(p[0], buf, sizeof buf - 1);
    printf("scm_rights: byte=%c n=%zd '%s' new_fd_differs=%d\n", got, n, buf, fd != p[1]);
}

static void epoll_pair(void) {
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1122334455667788ULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev);
    struct epoll_event out[4];
    int n0 = epoll_wait(ep, out, 4, 0);
    if (write(sv[0], "ping", 4) != 4) return;
    int n1 = epoll_wait(ep, out, 4, 1000);
    printf("epoll: before=%d after=%d events=%#x data=%#llx\n", n0, n1, out[0].events,
           (unsigned long long)out[0].data.u64);
}

static void timer_event_signal(void) {
    int t = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec its = {.it_value = {.tv_nsec = 20 * 1000 * 1000}};
    timerfd_settime(t, 0, &its, NULL);
    uint64_t expirations = 0;
    ssize_t n = read(t, &expirations, sizeof expirations);
    printf("timerfd: n=%zd expirations=%llu\n", n, (unsigned long long)expirations);

    int e = eventfd(3, 0);
    uint64_t add = 4, val = 0;
    if (write(e, &add, 8) != 8) return;
    n = read(e, &val, 8);
    printf("eventfd: n=%zd value=%llu\n", n, (unsigned long long)val);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int s = signalfd(-1, &set, 0);
    kill(getpid(), SIGUSR1);
    struct signalfd_siginfo si;
    n = read(s, &si, sizeof si);
    printf("signalfd: n=%zd signo=%u pid_ok=%d code=%d\n", n, si.ssi_signo, si.ssi_pid == (uint32_t)getpid(),
           si.ssi_code);
}

static void inotify_and_poll(void) {
    char dir[] = "/tmp/emu-ipc-XXXXXX";
    if (!mkdtemp(dir)) return;
    int in = inotify_init1(IN_NONBLOCK);
    inotify_add_watch(in, dir, IN_CREATE);
    char path[64];
    snprintf(path, sizeof path, "%s/newfile", dir);
    int f = open(path, O_CREAT | O_WRONLY, 0644);
    close(f);
    struct pollfd pfd = {.fd = in, .events = POLLIN};
    int pr = poll(&pfd, 1, 1000);
    char buf[4096] __attribute__((aligned(8)));
    ssize_t n = read(in, buf, sizeof buf);
    struct inotify_event *ev = (struct inotify_event *)buf;
    printf("inotify: poll=%d revents=%#x n>0=%d mask=%#x name=%s\n", pr, pfd.revents, n > 0, ev->mask, ev->name);
    unlink(path);
    rmdir(dir);
}

static void tcp_loopback(void) {
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(l, (struct sockaddr *)&a, sizeof a);
    listen(l, 1);
    socklen_t len = sizeof a;
    getsockname(l, (struct sockaddr *)&a, &len);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    int r = connect(c, (struct sockaddr *)&a, sizeof a);
    int s = accept(l, NULL, NULL);
    if (send(c, "hello tcp", 9, 0) != 9) return;
    char buf[16] = {0};
    ssize_t n = recv(s, buf, sizeof buf - 1, 0);
    printf("tcp: connect=%d accepted=%d recv=%zd '%s'\n", r, s >= 0, n, buf);
}

static void netlink_route(void) {
    int s = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    struct { struct nlmsghdr h; struct rtgenmsg g; } req = {
        .h = {.nlmsg_len = sizeof req, .nlmsg_type = RTM_GETLINK, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1},
        .g = {.rtgen_family = AF_UNSPEC},
    };
    if (send(s, &req, sizeof req, 0) < 0) { printf("netlink: send failed\n"); return; }
    char buf[16384] __attribute__((aligned(4)));
    int links = 0, done = 0;
    while (!done) {
        ssize_t n = recv(s, buf, sizeof buf, 0);
        if (n <= 0) break;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type == NLMSG_DONE) done = 1;
            else if (h->nlmsg_type == RTM_NEWLINK) links++;
        }
    }
    printf("netlink: done=%d has_links=%d\n", done, links > 0);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    scm_rights();
    epoll_pair();
    timer_event_signal();
    inotify_and_poll();
    tcp_loopback();
    netlink_route();
    return 0;
}
