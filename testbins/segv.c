/* Must die from SIGSEGV. Output before the fault is flushed so the
 * emulator is also checked for delivering it before dying. */
#include <stdio.h>

int main(void)
{
    printf("before fault\n");
    fflush(stdout);
    *(volatile int *)0 = 1;
    printf("not reached\n");
    return 0;
}
