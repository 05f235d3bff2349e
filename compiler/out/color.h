/*
 * color.h - ANSI colors for a terminal: a unified diff (headers bold,
 * hunks cyan, removals red, additions green) and a text rationale
 * (headlines bold, warnings yellow, infeasible red, reasons dim).
 */
#ifndef VT_COLOR_H
#define VT_COLOR_H

#include "strbuf.h"

/* Appends IN to OUT with the colors added. */
void color_diff(const vt_strbuf *in, vt_strbuf *out);
void color_text(const vt_strbuf *in, vt_strbuf *out);

#endif
