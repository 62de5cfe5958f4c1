/* Floating-point formatting and arithmetic. Inputs go through volatile
 * variables so the arithmetic runs at run time instead of being folded
 * by the compiler. */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile double vd[] = {
    0.0, -0.0, 1.0, -1.0, 0.1, 2.5, 3.14159265358979323846, 1e300, -1e-300,
    123456789.125, 4.9406564584124654e-324, 2.2250738585072014e-308, DBL_MAX, 1.0 / 3.0,
};
static volatile float vf[] = {0.0f, 1.5f, -2.25f, 0.1f, 3.4028235e38f, 1.17549435e-38f, 1e-45f};

static uint64_t bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static void formats(void)
{
    static const char *fmts[] = {"%f", "%.0f", "%.3f", "%.17f", "%e", "%.2e", "%.15e",
                                 "%g", "%.3g", "%.17g", "%a", "%.3a", "%+12.4f", "%-12.2e|"};
    for (size_t i = 0; i < sizeof vd / sizeof vd[0]; i++) {
        for (size_t j = 0; j < sizeof fmts / sizeof fmts[0]; j++) {
            printf(fmts[j], vd[i]);
            putchar(' ');
        }
        putchar('\n');
    }
    for (size_t i = 0; i < sizeof vf / sizeof vf[0]; i++)
        printf("float %g %.9e %a\n", vf[i], vf[i], vf[i]);
}

static void specials(void)
{
    volatile double zero = 0.0, one = 1.0;
    double inf = one / zero, ninf = -one / zero;
    /* AArch64's default NaN is positive; x86's is negative. */
    double nan = zero / zero;
    printf("inf=%f ninf=%f nan=%f nanbits=%016llx\n", inf, ninf, nan, (unsigned long long)bits(nan));
    printf("negzero=%f signbit=%d bits=%016llx\n", -zero, signbit(-zero) != 0,
           (unsigned long long)bits(-zero));
    printf("isnan=%d isinf=%d isfinite=%d\n", isnan(nan), isinf(ninf), isfinite(one));
    printf("nan==nan %d nan<1 %d inf>max %d\n", nan == nan, nan < one, inf > DBL_MAX);
    volatile double tiny = 4.9406564584124654e-324;
    printf("subnormal/2=%g subnormal*2=%g\n", tiny / 2, tiny * 2);
}

static void arithmetic(void)
{
    double sum = 0, prod = 1, q = 0;
    float fsum = 0;
    for (int i = 1; i <= 1000; i++) {
        volatile double x = i;
        sum += 1.0 / x;
        prod *= 1.0 + 1.0 / (x * x);
        q += sqrt(x) / (x + 0.5);
        fsum += (float)(1.0 / x);
    }
    printf("harmonic=%.17g prod=%.17g q=%.17g fsum=%.9g\n", sum, prod, q, fsum);

    /* Newton's method needs only the basic operations. */
    volatile double two = 2.0;
    double r = 1.0;
    for (int i = 0; i < 10; i++)
        r = 0.5 * (r + two / r);
    printf("newton sqrt2=%.17g libm sqrt2=%.17g\n", r, sqrt(two));

    volatile double a = 1.0 + DBL_EPSILON, b = 1.0 - DBL_EPSILON, c = -1.0;
    printf("fma=%.17g plain=%.17g\n", fma(a, b, c), a * b + c);
    printf("fmin=%g fmax=%g fabs=%g copysign=%g\n", fmin(a, c), fmax(a, c), fabs(c), copysign(3.0, c));
    printf("exp=%.15g log=%.15g sin=%.15g cos=%.15g atan2=%.15g pow=%.15g\n", exp(a), log(two), sin(two),
           cos(two), atan2(c, two), pow(two, 0.5));

    volatile float fa = 16777216.0f, fb = 1.0f;
    printf("float rounding %.1f %.1f\n", (double)(fa + fb), (double)(fa + fb + fb + fb));
}

static void conversions(void)
{
    static volatile double in[] = {0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.7, -2.7, 1e10, -1e10, 4e18, 2147483647.9};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        double d = in[i];
        printf("%g: floor=%g ceil=%g round=%g trunc=%g rint=%g lround=%ld llrint=%lld", d, floor(d), ceil(d),
               round(d), trunc(d), rint(d), lround(d), llrint(d));
        /* Out-of-range conversions saturate on AArch64 (FCVTZS). */
        printf(" (int)=%d (unsigned)=%u (long)=%ld\n", (int)d, (unsigned)d, (long)d);
    }
    volatile long big = 9007199254740993L; /* 2^53 + 1: not exactly representable */
    volatile unsigned long ubig = 18446744073709551615UL;
    volatile int neg = -7;
    printf("long->double %.1f ulong->double %.1f int->float %.1f double->float %.9g\n", (double)big,
           (double)ubig, (double)(float)neg, (double)(float)vd[6]);
    printf("strtod %.17g %.17g %g\n", strtod("0.1", NULL), strtod("-1.7976931348623157e308", NULL),
           strtod("1e-400", NULL));
}

static void rounding_modes(void)
{
    static const int modes[] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
    static const char *names[] = {"nearest", "upward", "downward", "towardzero"};
    volatile double one = 1.0, three = 3.0, neg = -1.0, big = 2.5;
    for (int i = 0; i < 4; i++) {
        fesetround(modes[i]);
        /* Volatile results keep the compiler from moving the operations
         * past the mode change (GCC ignores FENV_ACCESS). */
        volatile double q = one / three, nq = neg / three;
        volatile double r = rint(big);
        fesetround(FE_TONEAREST);
        printf("%s: 1/3=%.17g -1/3=%.17g rint(2.5)=%g\n", names[i], q, nq, r);
    }
}

static void long_double(void)
{
    /* long double is IEEE binary128 on AArch64, done in software. */
    volatile long double x = 1.0L, three = 3.0L;
    long double third = x / three;
    printf("long double: %.30Lf %.20Le %La\n", third, third * 1e100L, third);
    printf("LDBL_EPSILON=%Lg LDBL_MAX=%Lg\n", LDBL_EPSILON, LDBL_MAX);
}

int main(void)
{
    formats();
    specials();
    arithmetic();
    conversions();
    rounding_modes();
    long_double();
    return 0;
}
