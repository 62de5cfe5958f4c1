// cflags: -O0 -g
/* A program to debug under gdb (emu -g against qemu-aarch64 -g): functions to
 * break in, a loop to step through, locals to print, and on request a fault, a
 * signal with a handler, a loop that runs until the debugger stops it, a read
 * that blocks, or threads that run the same functions. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

volatile int counter;
volatile int spinning = 1;

int square(int x) {
    return x * x;
}

long sum_squares(int n) {
    long sum = 0;
    for (int i = 1; i <= n; i++) {
        sum += square(i);
        counter++;
    }
    return sum;
}

static long results[2];

static void *worker(void *arg) {
    long id = (long)arg;
    results[id] = sum_squares(3 + (int)id);
    return NULL;
}

static void on_usr1(int sig) {
    printf("handler %d\n", sig);
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    long sum = sum_squares(10);
    printf("sum %ld counter %d\n", sum, counter);
    fflush(stdout);
    if (strcmp(mode, "segv") == 0) {
        *(volatile int *)16 = 1;
    }
    if (strcmp(mode, "spin") == 0) {
        while (spinning) {
            counter++;
        }
        puts("released");
    }
    if (strcmp(mode, "threads") == 0) {
        /* One after the other, so that the order of events is fixed. */
        for (long id = 0; id < 2; id++) {
            pthread_t t;
            pthread_create(&t, NULL, worker, (void *)id);
            pthread_join(t, NULL);
        }
        printf("workers %ld %ld\n", results[0], results[1]);
    }
    if (strcmp(mode, "block") == 0) {
        /* Blocks in read until the debugger's Ctrl-C, then reads on. */
        char c = 0;
        ssize_t n = read(0, &c, 1);
        printf("read %zd %c\n", n, c);
    }
    if (strcmp(mode, "usr1") == 0) {
        signal(SIGUSR1, on_usr1);
        raise(SIGUSR1);
    }
    return (int)(sum % 100);
}
