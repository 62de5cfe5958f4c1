/* Checks what the loader hands the program: argv, envp and the auxv. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

int main(int argc, char **argv, char **envp)
{
    int failures = 0;

    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=\"%s\"\n", i, argv[i]);
    if (argv[argc] != NULL) {
        printf("argv is not NULL-terminated\n");
        failures++;
    }

    const char *v = getenv("EMU_TEST_VAR");
    printf("EMU_TEST_VAR=%s\n", v ? v : "(unset)");

    /* envp must be the array right after argv, as the ABI lays it out. */
    if (envp != argv + argc + 1) {
        printf("envp does not follow argv\n");
        failures++;
    }

    unsigned long pagesz = getauxval(AT_PAGESZ);
    printf("AT_PAGESZ=%lu %s\n", pagesz, pagesz == 4096 ? "ok" : "WRONG");
    if (pagesz != 4096)
        failures++;
    if (sysconf(_SC_PAGESIZE) != 4096) {
        printf("sysconf(_SC_PAGESIZE) is not 4096\n");
        failures++;
    }

    const char *platform = (const char *)getauxval(AT_PLATFORM);
    printf("AT_PLATFORM=%s\n", platform ? platform : "(missing)");
    if (!platform)
        failures++;

    /* glibc seeds its stack protector from these 16 bytes. */
    if (getauxval(AT_RANDOM) == 0) {
        printf("AT_RANDOM missing\n");
        failures++;
    }
    int ids_ok = getauxval(AT_UID) == getuid() && getauxval(AT_EUID) == geteuid() &&
                 getauxval(AT_GID) == getgid() && getauxval(AT_EGID) == getegid();
    printf("AT_UID/EUID/GID/EGID %s\n", ids_ok ? "ok" : "WRONG");
    if (!ids_ok)
        failures++;

    printf("failures=%d\n", failures);
    return failures ? 1 : 0;
}
