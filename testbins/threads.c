/* Threads: pthread_create/join, a mutex-protected counter, a condition
 * variable handshake, thread-local storage, atomics from many threads, and a
 * signal sent to one thread with pthread_kill. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#define THREADS 8
#define ITERS 20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter;
static atomic_long acounter;
static int ready;
static __thread int tls_value;
static _Atomic pthread_t signalled_on;

static void *worker(void *arg) {
    long id = (long)arg;
    tls_value = (int)id;
    for (int i = 0; i < ITERS; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
        atomic_fetch_add(&acounter, 1);
    }
    return (void *)(long)(tls_value * 10);
}

static void *waiter(void *arg) {
    (void)arg;
    pthread_mutex_lock(&lock);
    while (!ready)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    return (void *)42;
}

static void on_usr2(int sig) {
    (void)sig;
    signalled_on = pthread_self();
}

static void *sleeper(void *arg) {
    (void)arg;
    for (int i = 0; i < 500 && !signalled_on; i++)
        usleep(1000);
    return NULL;
}

int main(void) {
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    long sum = 0;
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        sum += (long)r;
    }
    printf("counter=%ld atomic=%ld sum=%ld\n", counter, (long)acounter, sum);

    pthread_t w;
    pthread_create(&w, NULL, waiter, NULL);
    usleep(10000);
    pthread_mutex_lock(&lock);
    ready = 1;
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&lock);
    void *r;
    pthread_join(w, &r);
    printf("waiter=%ld tls=%d\n", (long)r, tls_value);

    signal(SIGUSR2, on_usr2);
    pthread_t s;
    pthread_create(&s, NULL, sleeper, NULL);
    pthread_kill(s, SIGUSR2);
    pthread_join(s, NULL);
    printf("signal on target thread: %d\n", pthread_equal(signalled_on, s));
    return 0;
}
