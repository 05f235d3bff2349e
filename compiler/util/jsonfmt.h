/*
 * jsonfmt.h - the one JSON layout the tool writes (snapshots, reports,
 * --list-rules=json): two-space indentation, integers without a decimal
 * point, deterministic; cJSON builds the tree, this only lays it out.
 */
#ifndef VT_JSONFMT_H
#define VT_JSONFMT_H

#include <cjson/cJSON.h>
#include "strbuf.h"

/* Appends J to SB, then a newline. Arrays of scalars go on one line; so
 * do objects of scalars when FLAT_OBJECTS (one CPU a line in a snapshot),
 * otherwise each member has its own line (reports, read in review). */
void jsonfmt_print(vt_strbuf *sb, const cJSON *j, int flat_objects);

/* A JSON string of S, or JSON null when S is NULL (owned by the caller
 * until added to a tree). */
cJSON *jsonfmt_str_or_null(const char *s);

#endif
