/* File-system system calls: a temporary file (write, lseek, read, pread,
 * fstat, stat, ftruncate), stdio on it, and a temporary directory listed
 * with opendir/readdir. Temporary names are random, so none is printed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;

#define CHECK(cond)                                                    \
    do {                                                               \
        if (!(cond)) {                                                 \
            printf("FAILED line %d: %s (errno %d)\n", __LINE__, #cond, errno); \
            failures++;                                                \
        }                                                              \
    } while (0)

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void temp_file(void)
{
    char path[] = "/tmp/emu-files-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;

    char data[10000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)('A' + i % 26);
    CHECK(write(fd, data, sizeof data) == (ssize_t)sizeof data);

    off_t pos = lseek(fd, 0, SEEK_CUR);
    printf("position after write: %ld\n", (long)pos);
    CHECK(lseek(fd, 4096, SEEK_SET) == 4096);
    char buf[100];
    CHECK(read(fd, buf, 26) == 26);
    printf("read at 4096: %.26s\n", buf);
    CHECK(memcmp(buf, data + 4096, 26) == 0);
    CHECK(pread(fd, buf, 5, 9998) == 2);
    printf("pread at end: %.2s\n", buf);
    printf("seek end: %ld\n", (long)lseek(fd, 0, SEEK_END));

    struct stat st;
    CHECK(fstat(fd, &st) == 0);
    printf("fstat size: %ld regular: %d mode: %o\n", (long)st.st_size, S_ISREG(st.st_mode),
           (unsigned)(st.st_mode & 0777));
    CHECK(ftruncate(fd, 1234) == 0);
    CHECK(stat(path, &st) == 0);
    printf("stat size after ftruncate: %ld\n", (long)st.st_size);
    CHECK(close(fd) == 0);

    /* Buffered stdio goes through the same calls in other patterns. */
    FILE *f = fopen(path, "w+");
    CHECK(f != NULL);
    if (f) {
        for (int i = 0; i < 1000; i++)
            fprintf(f, "line %d\n", i);
        rewind(f);
        char line[64];
        int count = 0, last = -1;
        while (fgets(line, sizeof line, f)) {
            count++;
            sscanf(line, "line %d", &last);
        }
        printf("stdio lines: %d last: %d size: %ld\n", count, last, ftell(f));
        CHECK(fclose(f) == 0);
    }

    CHECK(unlink(path) == 0);
    errno = 0;
    CHECK(stat(path, &st) == -1 && errno == ENOENT);
    CHECK(open(path, O_RDONLY) == -1 && errno == ENOENT);
}

static void temp_dir(void)
{
    char dir[] = "/tmp/emu-dir-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    static const char *names[] = {"gamma", "alpha", "beta"};
    char path[64];
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        int fd = open(path, O_CREAT | O_WRONLY | O_EXCL, 0644);
        CHECK(fd >= 0);
        CHECK(write(fd, names[i], strlen(names[i])) == (ssize_t)strlen(names[i]));
        close(fd);
    }
    snprintf(path, sizeof path, "%s/sub", dir);
    CHECK(mkdir(path, 0755) == 0);

    DIR *d = opendir(dir);
    CHECK(d != NULL);
    char *found[16];
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n < 16)
            found[n++] = strdup(e->d_name);
    }
    if (d)
        closedir(d);
    qsort(found, (size_t)n, sizeof found[0], cmp_names);
    printf("directory entries: %d\n", n);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, found[i]);
        struct stat st;
        CHECK(stat(path, &st) == 0);
        printf("  %s %s size %ld\n", found[i], S_ISDIR(st.st_mode) ? "dir" : "file",
               S_ISDIR(st.st_mode) ? 0L : (long)st.st_size);
        CHECK(S_ISDIR(st.st_mode) ? rmdir(path) == 0 : unlink(path) == 0);
        free(found[i]);
    }
    CHECK(rmdir(dir) == 0);
    errno = 0;
    CHECK(opendir(dir) == NULL && errno == ENOENT);
}

int main(void)
{
    temp_file();
    temp_dir();
    printf("failures: %d\n", failures);
    return failures ? 1 : 0;
}
