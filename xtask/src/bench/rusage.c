/* rusage OUT COMMAND [ARG...]: runs COMMAND and writes
 * "SECONDS MAXRSS_KIB WAIT_STATUS" of it to OUT; exits 0 once OUT is
 * written, 125 if it could not measure.
 *
 * Why a separate small program: at exec the kernel folds the old memory's
 * high-water mark into the process's ru_maxrss, so a command started
 * directly by the bench (a few MiB of Rust) could never report less than
 * the bench itself; started from this process it reports its own. Timing
 * here leaves out the cost of starting this helper. */
#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: rusage OUT COMMAND [ARG...]\n");
        return 125;
    }
    double start = now();
    pid_t pid = fork();
    if (pid < 0) {
        perror("rusage: fork");
        return 125;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        fprintf(stderr, "rusage: cannot run %s: ", argv[2]);
        perror("");
        _exit(127);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("rusage: wait4");
            return 125;
        }
    }
    double secs = now() - start;
    FILE *out = fopen(argv[1], "w");
    if (!out || fprintf(out, "%.9f %ld %d\n", secs, ru.ru_maxrss, status) < 0 || fclose(out) != 0) {
        perror(argv[1]);
        return 125;
    }
    return 0;
}
