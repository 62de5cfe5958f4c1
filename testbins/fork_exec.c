/* Processes: fork and wait with exit statuses and signals, a pipe between
 * parent and child, execve of an arm64 program (this one again, via
 * /proc/self/exe) with argv, environment and ignored signals preserved,
 * fexecve and execve of /proc/self/fd/N through a close-on-exec descriptor,
 * and a #! script. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_usr1(int sig) { (void)sig; }

/* How many descriptors above the standard three are open. */
static int open_fds(void) {
    int n = 0;
    for (int fd = 3; fd < 1024; fd++) n += fcntl(fd, F_GETFD) >= 0;
    return n;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "child") == 0) {
        /* An ignored signal stays ignored across execve; a caught one is reset. */
        struct sigaction hup, usr1;
        sigaction(SIGHUP, NULL, &hup);
        sigaction(SIGUSR1, NULL, &usr1);
        printf("exec'd: argv0=%s arg2=%s env=%s sighup=%s sigusr1=%s\n", argv[0], argc > 2 ? argv[2] : "-",
               getenv("FORK_EXEC_VAR"), hup.sa_handler == SIG_IGN ? "ignored" : "default",
               usr1.sa_handler == SIG_DFL ? "default" : "other");
        return 7;
    }
    if (argc > 3 && strcmp(argv[1], "fdchild") == 0) {
        /* The descriptors open are the parent's from before it opened the
         * program, and the program knows its own name. */
        char exe[4096];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        exe[n > 0 ? n : 0] = 0;
        printf("%s: same descriptors as the parent: %s, exe %s\n", argv[2],
               open_fds() == atoi(argv[3]) ? "yes" : "no", basename(exe));
        return 9;
    }
    int st;
    pid_t p = fork();
    if (p == 0) _exit(3);
    waitpid(p, &st, 0);
    printf("child exit: %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);

    p = fork();
    if (p == 0) {
        *(volatile int *)0 = 1;
        _exit(0);
    }
    waitpid(p, &st, 0);
    printf("child signal: %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : -1);

    int fds[2];
    if (pipe(fds) != 0) return 1;
    p = fork();
    if (p == 0) {
        close(fds[0]);
        dprintf(fds[1], "hello through a pipe from %s\n", "the child");
        _exit(0);
    }
    close(fds[1]);
    char buf[128];
    ssize_t n = read(fds[0], buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("parent read: %s", buf);
    waitpid(p, &st, 0);

    fflush(stdout);
    p = fork();
    if (p == 0) {
        char *args[] = {"renamed", "child", "two", NULL};
        char *env[] = {"FORK_EXEC_VAR=yes", NULL};
        signal(SIGHUP, SIG_IGN);
        signal(SIGUSR1, on_usr1);
        execve("/proc/self/exe", args, env);
        perror("execve");
        _exit(127);
    }
    waitpid(p, &st, 0);
    printf("exec child exit: %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);

    /* The program by a descriptor that is closed on exec: the kernel reads the
     * program first. */
    const char *ways[] = {"fexecve", "/proc/self/fd"};
    char before[16];
    snprintf(before, sizeof before, "%d", open_fds());
    for (int w = 0; w < 2; w++) {
        fflush(stdout);
        p = fork();
        if (p == 0) {
            int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
            char *args[] = {argv[0], "fdchild", (char *)ways[w], before, NULL};
            char *env[] = {NULL};
            char by_path[64];
            snprintf(by_path, sizeof by_path, "/proc/self/fd/%d", self);
            if (w == 0)
                fexecve(self, args, env);
            else
                execve(by_path, args, env);
            perror(ways[w]);
            _exit(127);
        }
        waitpid(p, &st, 0);
        printf("%s child exit: %d\n", ways[w], WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    }

    /* A script whose interpreter is a host program. */
    char path[] = "/tmp/emu-fork-exec-XXXXXX";
    int fd = mkstemp(path);
    dprintf(fd, "#!/bin/sh\necho script says $1\nexit 5\n");
    close(fd);
    chmod(path, 0755);
    fflush(stdout);
    p = fork();
    if (p == 0) {
        char *args[] = {path, "hi", NULL};
        execv(path, args);
        _exit(127);
    }
    waitpid(p, &st, 0);
    unlink(path);
    printf("script exit: %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return 0;
}
