/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * adaptswap's JSON: one small writer for every --json output of the daemon
 * and adaptswapctl, and a strict checker (RFC 8259).  Part of
 * libadaptswap.a for the programs of this tree; not an installed header.
 *
 * The writer puts a document on one line: no white space, no newline
 * inside it, one '\n' after the value at the top closes it (so a stream is
 * one object per line).  Strings are escaped ('"', '\\' and every control
 * character), and bytes that are not valid UTF-8 become U+FFFD.
 *
 *	struct asj j;
 *	asj_begin(&j, stdout);
 *	asj_object(&j, NULL);
 *	asj_string(&j, "dir", dir);
 *	asj_array(&j, "files");  ...  asj_end(&j);
 *	asj_end(&j);                        writes "}\n"
 *
 * key is the member's name inside an object, NULL inside an array or at
 * the top.
 */
#ifndef ADAPTSWAP_JSON_H
#define ADAPTSWAP_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ASJ_MAX_DEPTH	16

struct asj {
	FILE *f;
	int depth;
	bool more[ASJ_MAX_DEPTH + 1];	/* a value was written at this depth */
	char close[ASJ_MAX_DEPTH + 1];	/* '}' or ']' */
};

void asj_begin(struct asj *j, FILE *f);
void asj_object(struct asj *j, const char *key);
void asj_array(struct asj *j, const char *key);
/* Close the innermost object or array; at the top, also the line. */
void asj_end(struct asj *j);
void asj_string(struct asj *j, const char *key, const char *s);
void asj_u64(struct asj *j, const char *key, uint64_t v);
void asj_i64(struct asj *j, const char *key, int64_t v);
void asj_bool(struct asj *j, const char *key, bool v);
void asj_null(struct asj *j, const char *key);
/* A number with `decimals` digits after the point; null when not finite. */
void asj_double(struct asj *j, const char *key, double v, int decimals);
/* A value that is JSON already (check it with asj_check() first). */
void asj_raw(struct asj *j, const char *key, const char *json, size_t len);

/* s as a JSON string, quotes included (the writer's escaping). */
void asj_put_string(FILE *f, const char *s);

/*
 * Is text[0..len) exactly one JSON value (white space around it allowed)?
 * Strict: no trailing commas, no leading zeros, no control characters or
 * invalid UTF-8 in strings, valid escapes, nesting at most 512 deep.
 * 0, or -1 with the offset of the first offending byte in *where and a
 * short reason in *why.
 */
int asj_check(const char *text, size_t len, size_t *where, const char **why);

#endif /* ADAPTSWAP_JSON_H */
