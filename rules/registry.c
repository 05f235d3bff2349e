/*
 * registry.c - the rules in execution order, generated from rules.def,
 * and the one lookup of a rule by its id.
 */
#include "rule.h"

#include <string.h>

#define VT_RULE(sym) extern const vt_rule rule_##sym;
#include "rules.def"
#undef VT_RULE

const vt_rule *const vt_rules[] = {
#define VT_RULE(sym) &rule_##sym,
#include "rules.def"
#undef VT_RULE
};

_Static_assert(sizeof vt_rules / sizeof vt_rules[0] == RULE_COUNT,
               "vt_rules and enum vt_rule_index come from rules.def");
const int vt_nrules = RULE_COUNT;

const vt_rule_param r_no_params[] = {
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

int rule_index(const char *id)
{
    for (int i = 0; i < vt_nrules; i++)
        if (strcmp(vt_rules[i]->id, id) == 0)
            return i;
    return -1;
}
