/*
 * jsonfmt.c - lays out a cJSON tree the way the tool writes JSON (see
 * jsonfmt.h).
 */
#include "jsonfmt.h"

#include <stdlib.h>

/* Integers up to 2^53 are exact in JSON; print them as integers. */
#define JSON_MAX_EXACT 9007199254740991.0

/* A string that needs no escaping (no quote, backslash or control
 * character) is written as it is: most keys and values, and the snapshot
 * of a large host writes thousands of them. */
static int add_plain_string(vt_strbuf *sb, const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if ((unsigned char)s[n] < 0x20 || s[n] == '"' || s[n] == '\\')
            return 0;
    strbuf_add(sb, "\"", 1);
    strbuf_add(sb, s, n);
    strbuf_add(sb, "\"", 1);
    return 1;
}

static void add_integer(vt_strbuf *sb, long long v)
{
    char buf[24], *p = buf + sizeof buf;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v
                                 : (unsigned long long)v;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    strbuf_add(sb, p, (size_t)(buf + sizeof buf - p));
}

static void add_spaces(vt_strbuf *sb, int n)
{
    static const char sp[] = "                                ";
    for (; n > 0; n -= 32)
        strbuf_add(sb, sp, (size_t)(n < 32 ? n : 32));
}

static void print_scalar(vt_strbuf *sb, const cJSON *j)
{
    if (cJSON_IsNumber(j) && j->valuedouble >= -JSON_MAX_EXACT &&
        j->valuedouble <= JSON_MAX_EXACT &&
        j->valuedouble == (double)(long long)j->valuedouble) {
        add_integer(sb, (long long)j->valuedouble);
        return;
    }
    if (cJSON_IsString(j) && add_plain_string(sb, j->valuestring))
        return;
    char *s = cJSON_PrintUnformatted(j);
    if (!s)
        abort();
    strbuf_adds(sb, s);
    cJSON_free(s);
}

static void print_key(vt_strbuf *sb, const char *key)
{
    if (add_plain_string(sb, key)) {
        strbuf_add(sb, ": ", 2);
        return;
    }
    cJSON *k = cJSON_CreateString(key);
    if (!k)
        abort();
    print_scalar(sb, k);
    cJSON_Delete(k);
    strbuf_adds(sb, ": ");
}

static int is_container(const cJSON *j)
{
    return cJSON_IsArray(j) || cJSON_IsObject(j);
}

static void print_value(vt_strbuf *sb, const cJSON *j, int indent, int flat_obj)
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
    strbuf_adds(sb, obj ? "{" : "[");
    if (!flat)
        strbuf_adds(sb, "\n");
    cJSON_ArrayForEach(c, j) {
        if (!flat)
            add_spaces(sb, indent + 2);
        if (obj)
            print_key(sb, c->string);
        print_value(sb, c, indent + 2, flat_obj);
        if (c->next)
            strbuf_adds(sb, flat ? ", " : ",\n");
    }
    if (!flat)
        strbuf_add(sb, "\n", 1), add_spaces(sb, indent);
    strbuf_adds(sb, obj ? "}" : "]");
}

void jsonfmt_print(vt_strbuf *sb, const cJSON *j, int flat_objects)
{
    print_value(sb, j, 0, flat_objects);
    strbuf_adds(sb, "\n");
}

cJSON *jsonfmt_str_or_null(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}
