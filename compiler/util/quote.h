/*
 * quote.h - file names as git shows them: as they are, or C-quoted in
 * double quotes when they hold a control character, a quote, a
 * backslash or a byte above 0x7e (git's quote_c_style with
 * core.quotePath), so that one message or one diff header stays one
 * line whatever the name.
 */
#ifndef VT_QUOTE_H
#define VT_QUOTE_H

#include "strbuf.h"

/* Whether NAME needs quoting. */
int quote_needed(const char *name);

/* Appends PREFIX and NAME to OUT, quoted together when NAME needs it. */
void quote_path(vt_strbuf *out, const char *prefix, const char *name);

/* NAME quoted into BUF of N bytes (cut short if it does not fit);
 * returns BUF, or NAME itself when it needs no quoting. */
const char *quote_name(const char *name, char *buf, size_t n);

/* NAME quoted for a message, in one of four static buffers used in
 * turn (so that one message can quote up to four names). */
const char *quoted(const char *name);

#endif
