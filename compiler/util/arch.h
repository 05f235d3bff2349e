/*
 * arch.h - what the rules need to know of CPU architecture names, as
 * libvirt spells them (<os><type arch=...>, capabilities <arch>).
 */
#ifndef VT_ARCH_H
#define VT_ARCH_H

/* 1 when ARCH is an x86 architecture: x86_64, i686, i586 or i386. */
int arch_is_x86(const char *arch);

/* 1 when a guest of architecture GUEST runs under KVM on a host of
 * architecture HOST_ARCH: the same one, or 32-bit x86 on x86_64. */
int arch_kvm_runs(const char *guest, const char *host_arch);

#endif
