/*
 * suggest.h - "did you mean": the closest of a set of names to a word
 * someone mistyped (an option, a rule, a parameter), by edit distance
 * with transpositions (Damerau-Levenshtein), as git suggests commands.
 */
#ifndef VT_SUGGEST_H
#define VT_SUGGEST_H

#include <stddef.h>

/* The closest of the N names NAMES to WORD, or NULL when none is close
 * (more than a third of WORD's length, at least 2, away); ties go to the
 * earlier name. */
const char *suggest_closest(const char *word, const char *const *names,
                            size_t n);

/* Appends to BUF (N bytes, already a string) "; did you mean 'S'?" when a
 * name is close to WORD. */
void suggest_append(char *buf, size_t n, const char *word,
                    const char *const *names, size_t count);

#endif
