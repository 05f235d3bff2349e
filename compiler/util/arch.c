/*
 * arch.c - architecture names (see arch.h).
 */
#include "arch.h"

#include <string.h>

int arch_is_x86(const char *arch)
{
    return arch && (!strcmp(arch, "x86_64") || !strcmp(arch, "i686") ||
                    !strcmp(arch, "i586") || !strcmp(arch, "i386"));
}

int arch_kvm_runs(const char *guest, const char *host_arch)
{
    if (strcmp(guest, host_arch) == 0)
        return 1;
    return strcmp(host_arch, "x86_64") == 0 && arch_is_x86(guest);
}
