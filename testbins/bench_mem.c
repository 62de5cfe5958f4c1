/* Memory-bound workload: qsort and a hand-written merge sort (which copies
 * runs with memcpy) of the same pseudo-random ints. The optional argument
 * is the element count (tests use a small one). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void merge_sort(int *a, int *tmp, size_t n)
{
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            int v = a[i];
            size_t j = i;
            for (; j > 0 && a[j - 1] > v; j--)
                a[j] = a[j - 1];
            a[j] = v;
        }
        return;
    }
    size_t h = n / 2;
    merge_sort(a, tmp, h);
    merge_sort(a + h, tmp, n - h);
    if (a[h - 1] <= a[h])
        return;
    memcpy(tmp, a, h * sizeof *a);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        a[k++] = tmp[i] <= a[j] ? tmp[i++] : a[j++];
    memcpy(a + k, tmp + i, (h - i) * sizeof *a);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
    int *orig = malloc(n * sizeof *orig), *q = malloc(n * sizeof *q), *m = malloc(n * sizeof *m);
    int *tmp = malloc((n / 2 + 1) * sizeof *tmp);
    if (!orig || !q || !m || !tmp) {
        printf("out of memory\n");
        return 1;
    }
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        orig[i] = (int)(x % 1000000007u) - 500000000;
    }
    memcpy(q, orig, n * sizeof *q);
    memcpy(m, orig, n * sizeof *m);
    qsort(q, n, sizeof *q, cmp_int);
    merge_sort(m, tmp, n);

    if (memcmp(q, m, n * sizeof *q) != 0) {
        printf("sorts disagree\n");
        return 1;
    }
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && q[i - 1] > q[i]) {
            printf("not sorted at %zu\n", i);
            return 1;
        }
        sum = sum * 31 + (uint32_t)q[i];
    }
    printf("n=%zu min=%d median=%d max=%d checksum=%016llx\n", n, q[0], q[n / 2], q[n - 1],
           (unsigned long long)sum);
    free(orig);
    free(q);
    free(m);
    free(tmp);
    return 0;
}
