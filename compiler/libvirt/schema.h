/*
 * schema.h - libvirt's domain RelaxNG schema, loaded once per process
 * (it is large) and only when validating, with libxml2. Tells whether a
 * tuned document is valid, and when its input already was not, whether
 * the elements vtune-xml changed are.
 */
#ifndef VT_SCHEMA_H
#define VT_SCHEMA_H

#include <stddef.h>

/* The installed schema's path (VTUNE_XML_SCHEMA overrides), or NULL when
 * libvirt's schemas are not installed. Static string. */
const char *schema_path(void);

/* Loads the schema (once). 0, or -1 when it cannot be (ERR says why). */
int schema_load(char *err, size_t errlen);

/* The line of the first error of the last schema_valid that failed (0:
 * unknown). */
long schema_error_line(void);

/* Validates LEN bytes of XML. Returns 1 valid, 0 invalid (ERR gets the
 * first error, without the line number), -1 when the schema cannot be
 * loaded (ERR says why). */
int schema_valid(const char *xml, size_t len, char *err, size_t errlen);

/* For an input that is not valid itself: 1 when the top-level elements
 * OUT changed with respect to IN are valid in a minimal domain (or no
 * worse than IN's versions of them), 0 otherwise (ERR: the new error). */
int schema_changes_valid(const char *in, size_t inlen, const char *out,
                         size_t outlen, char *err, size_t errlen);

/* When XML uses an element that libvirt added after the installed
 * version (whose schema is libvirt's, or VTUNE_XML_SCHEMA's), returns 1 and writes to
 * WHAT the element and the version that added it ("<disk><driver>
 * <iothreads> (libvirt 10.0.0)") and to HAVE the installed version;
 * 0 otherwise. An invalid output is then the old schema's verdict, not
 * a broken edit. */
int schema_newer_construct(const char *xml, size_t len, char *what,
                           size_t whatlen, char *have, size_t havelen);

/* Frees the schema (at exit; for leak checkers). */
void schema_free(void);

#endif
