/* Exits with a status that is neither 0 nor 1 so status propagation is visible. */
#include <stdlib.h>

int main(void)
{
    exit(42);
}
