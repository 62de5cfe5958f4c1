/* fork from a thread other than main while other threads map, unmap and drop
 * code: the child has only the forking thread, so it must not inherit a lock
 * that another thread held at the fork; it maps memory, then ends with the
 * thread-exit syscall, being the last thread of its process. The optional
 * argument is the number of forks. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static atomic_int stop;

static void *churn(void *arg) {
    (void)arg;
    while (!atomic_load(&stop)) {
        void *p = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) continue;
        memset(p, 0, 64);
        mprotect(p, 65536, PROT_READ | PROT_EXEC);
        munmap(p, 65536);
    }
    return NULL;
}

static void *forker(void *arg) {
    int n = *(int *)arg, exited = 0, hung = 0;
    for (int i = 0; i < n; i++) {
        pid_t p = fork();
        if (p == 0) {
            void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            int good = m != MAP_FAILED && munmap(m, 4096) == 0;
            syscall(SYS_exit, good ? 0 : 1);
        }
        int st = 0, waited = 0;
        /* Up to 5 s for the child: one that hangs is killed, and ends the run. */
        for (int t = 0; t < 1000 && !waited; t++) {
            if (waitpid(p, &st, WNOHANG) == p)
                waited = 1;
            else
                usleep(5000);
        }
        if (!waited) {
            kill(p, SIGKILL);
            waitpid(p, &st, 0);
            hung++;
            break;
        } else if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
            exited++;
        }
    }
    printf("forks from a thread: %d exited with 0, %d hung\n", exited, hung);
    return NULL;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 100;
    pthread_t c[2], f;
    for (int i = 0; i < 2; i++) pthread_create(&c[i], NULL, churn, NULL);
    pthread_create(&f, NULL, forker, &n);
    pthread_join(f, NULL);
    atomic_store(&stop, 1);
    for (int i = 0; i < 2; i++) pthread_join(c[i], NULL);
    return 0;
}
