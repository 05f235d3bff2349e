/*
 * hostdev_insert.h - what hostdev.insert tells the placement family: the
 * host nodes the domain must span, those of the devices it assigned with
 * affinity required (placement then keeps the domain next to them).
 */
#ifndef VT_HOSTDEV_INSERT_H
#define VT_HOSTDEV_INSERT_H

#include "rule.h"

/* Those nodes for the domain being tuned, or NULL when there are none. */
hwloc_const_bitmap_t hostdev_required_nodes(vt_rule_ctx *c);

#endif
