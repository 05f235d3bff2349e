/*
 * jsonfmt.c - lays out a cJSON tree the way the tool writes JSON (see
 * jsonfmt.h).
 */
#include "jsonfmt.h"

#include <stdlib.h>

/* Integers up to 2^53 are exact in JSON; print them as integers. */
#define JSON_MAX_EXACT 9007199254740991.0

static void print_scalar(strbuf *sb, const cJSON *j)
{
    if (cJSON_IsNumber(j) && j->valuedouble >= -JSON_MAX_EXACT &&
        j->valuedouble <= JSON_MAX_EXACT &&
        j->valuedouble == (double)(long long)j->valuedouble) {
        sb_addf(sb, "%lld", (long long)j->valuedouble);
        return;
    }
    char *s = cJSON_PrintUnformatted(j);
    if (!s)
        abort();
    sb_adds(sb, s);
    cJSON_free(s);
}

static void print_key(strbuf *sb, const char *key)
{
    cJSON *k = cJSON_CreateString(key);
    if (!k)
        abort();
    print_scalar(sb, k);
    cJSON_Delete(k);
    sb_adds(sb, ": ");
}

static int is_container(const cJSON *j)
{
    return cJSON_IsArray(j) || cJSON_IsObject(j);
}

static void print_value(strbuf *sb, const cJSON *j, int indent, int flat_obj)
{
    if (!is_container(j)) {
        print_scalar(sb, j);
        return;
    }
    int obj = cJSON_IsObject(j), flat = !obj || flat_obj;
    const cJSON *c;
    cJSON_ArrayForEach(c, j)
        if (is_container(c))
            flat = 0;
    if (!j->child)
        flat = 1;
    sb_adds(sb, obj ? "{" : "[");
    if (!flat)
        sb_adds(sb, "\n");
    cJSON_ArrayForEach(c, j) {
        if (!flat)
            sb_addf(sb, "%*s", indent + 2, "");
        if (obj)
            print_key(sb, c->string);
        print_value(sb, c, indent + 2, flat_obj);
        if (c->next)
            sb_adds(sb, flat ? ", " : ",\n");
    }
    if (!flat)
        sb_addf(sb, "\n%*s", indent, "");
    sb_adds(sb, obj ? "}" : "]");
}

void json_print(strbuf *sb, const cJSON *j, int flat_objects)
{
    print_value(sb, j, 0, flat_objects);
    sb_adds(sb, "\n");
}
