/* Processes: fork and wait with exit statuses and signals, a pipe between
 * parent and child, execve of an arm64 program (this one again, via
 * /proc/self/exe) with argv and environment preserved, and a #! script. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "child") == 0) {
        printf("exec'd: argv0=%s arg2=%s env=%s\n", argv[0], argc > 2 ? argv[2] : "-", getenv("FORK_EXEC_VAR"));
        return 7;
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
        execve("/proc/self/exe", args, env);
        perror("execve");
        _exit(127);
    }
    waitpid(p, &st, 0);
    printf("exec child exit: %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);

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
