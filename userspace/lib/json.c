// SPDX-License-Identifier: LGPL-2.1-or-later
/* adaptswap's JSON writer and checker (see json.h). */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "json.h"

/*
 * Length of the valid UTF-8 sequence at p (1 to 4), 0 when the bytes there
 * are not one: no overlong forms, no surrogates, nothing above U+10FFFF.
 */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	/* the second byte's range excludes overlongs and surrogates */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/* ---- writer ---------------------------------------------------------------- */

void asj_put_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p);

	fputc('"', f);
	while (n) {
		size_t len = utf8_len(p, n);

		if (len == 0) {
			fputs("\xef\xbf\xbd", f);	/* U+FFFD for a byte that is not UTF-8 */
			len = 1;
		} else if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p);
		} else if (*p == '\n') {
			fputs("\\n", f);
		} else if (*p == '\t') {
			fputs("\\t", f);
		} else if (*p == '\r') {
			fputs("\\r", f);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p);
		} else {
			fwrite(p, 1, len, f);
		}
		p += len;
		n -= len;
	}
	fputc('"', f);
}

void asj_begin(struct asj *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

/* Before a value: the comma, the key. */
static void member(struct asj *j, const char *key)
{
	if (j->more[j->depth])
		fputc(',', j->f);
	j->more[j->depth] = true;
	if (key && j->depth && j->close[j->depth] == '}') {
		asj_put_string(j->f, key);
		fputc(':', j->f);
	}
}

static void open_(struct asj *j, const char *key, char open, char close)
{
	member(j, key);
	fputc(open, j->f);
	if (j->depth < ASJ_MAX_DEPTH)
		j->depth++;
	j->more[j->depth] = false;
	j->close[j->depth] = close;
}

void asj_object(struct asj *j, const char *key)
{
	open_(j, key, '{', '}');
}

void asj_array(struct asj *j, const char *key)
{
	open_(j, key, '[', ']');
}

void asj_end(struct asj *j)
{
	if (!j->depth)
		return;
	fputc(j->close[j->depth], j->f);
	if (--j->depth == 0) {
		fputc('\n', j->f);
		j->more[0] = false;	/* the next document starts a new line */
	}
}

void asj_string(struct asj *j, const char *key, const char *s)
{
	member(j, key);
	asj_put_string(j->f, s);
}

void asj_u64(struct asj *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void asj_i64(struct asj *j, const char *key, int64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void asj_bool(struct asj *j, const char *key, bool v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->f);
}

void asj_null(struct asj *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
}

void asj_double(struct asj *j, const char *key, double v, int decimals)
{
	member(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.*f", decimals, v);
	else
		fputs("null", j->f);
}

void asj_raw(struct asj *j, const char *key, const char *json, size_t len)
{
	member(j, key);
	/* white space around the value: none inside our line */
	while (len && strchr(" \t\r\n", json[len - 1]))
		len--;
	while (len && strchr(" \t\r\n", *json)) {
		json++;
		len--;
	}
	fwrite(json, 1, len, j->f);
}

/* ---- checker --------------------------------------------------------------- */

#define CHECK_MAX_DEPTH 512

struct chk {
	const unsigned char *p, *end;
	const char *why;
	int depth;
};

static bool bad(struct chk *c, const char *why)
{
	c->why = why;
	return false;
}

static void skip_ws(struct chk *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static bool at(struct chk *c, char ch)
{
	return c->p < c->end && *c->p == (unsigned char)ch;
}

static bool is_digit(struct chk *c)
{
	return c->p < c->end && *c->p >= '0' && *c->p <= '9';
}

static bool is_hex(unsigned char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static bool check_escape(struct chk *c)
{
	c->p++;		/* the backslash */
	if (c->p >= c->end)
		return bad(c, "unterminated string");
	if (strchr("\"\\/bfnrt", *c->p) && *c->p) {
		c->p++;
		return true;
	}
	if (*c->p != 'u')
		return bad(c, "unknown escape in a string");
	c->p++;
	for (int i = 0; i < 4; i++, c->p++)
		if (c->p >= c->end || !is_hex(*c->p))
			return bad(c, "\\u needs four hex digits");
	return true;
}

static bool check_string(struct chk *c)
{
	c->p++;		/* the opening quote */
	for (;;) {
		size_t len;

		if (c->p >= c->end)
			return bad(c, "unterminated string");
		if (*c->p == '"') {
			c->p++;
			return true;
		}
		if (*c->p < 0x20)
			return bad(c, "control character in a string");
		if (*c->p == '\\') {
			if (!check_escape(c))
				return false;
			continue;
		}
		len = utf8_len(c->p, (size_t)(c->end - c->p));
		if (!len)
			return bad(c, "invalid UTF-8 in a string");
		c->p += len;
	}
}

static bool check_digits(struct chk *c, const char *why)
{
	if (!is_digit(c))
		return bad(c, why);
	while (is_digit(c))
		c->p++;
	return true;
}

static bool check_number(struct chk *c)
{
	if (at(c, '-'))
		c->p++;
	if (at(c, '0')) {
		c->p++;
		if (is_digit(c))
			return bad(c, "leading zero in a number");
	} else if (!check_digits(c, "not a value")) {
		return false;
	}
	if (at(c, '.')) {
		c->p++;
		if (!check_digits(c, "digits must follow the decimal point"))
			return false;
	}
	if (at(c, 'e') || at(c, 'E')) {
		c->p++;
		if (at(c, '+') || at(c, '-'))
			c->p++;
		if (!check_digits(c, "digits must follow the exponent"))
			return false;
	}
	return true;
}

static bool check_word(struct chk *c, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n))
		return bad(c, "not a value");
	c->p += n;
	return true;
}

static bool check_value(struct chk *c);

/* An object or an array: its members separated by commas, no trailing one. */
static bool check_container(struct chk *c, char close)
{
	if (++c->depth > CHECK_MAX_DEPTH)
		return bad(c, "nested too deep");
	c->p++;
	skip_ws(c);
	if (at(c, close)) {
		c->p++;
		c->depth--;
		return true;
	}
	for (;;) {
		if (close == '}') {
			if (!at(c, '"'))
				return bad(c, "a member's name must be a string");
			if (!check_string(c))
				return false;
			skip_ws(c);
			if (!at(c, ':'))
				return bad(c, "':' must follow a member's name");
			c->p++;
			skip_ws(c);
		}
		if (!check_value(c))
			return false;
		skip_ws(c);
		if (at(c, close)) {
			c->p++;
			c->depth--;
			return true;
		}
		if (!at(c, ','))
			return bad(c, close == '}' ? "',' or '}' expected" : "',' or ']' expected");
		c->p++;
		skip_ws(c);
	}
}

static bool check_value(struct chk *c)
{
	if (c->p >= c->end)
		return bad(c, "a value is missing");
	switch (*c->p) {
	case '{':
		return check_container(c, '}');
	case '[':
		return check_container(c, ']');
	case '"':
		return check_string(c);
	case 't':
		return check_word(c, "true");
	case 'f':
		return check_word(c, "false");
	case 'n':
		return check_word(c, "null");
	default:
		return check_number(c);
	}
}

int asj_check(const char *text, size_t len, size_t *where, const char **why)
{
	struct chk c = { .p = (const unsigned char *)text,
			 .end = (const unsigned char *)text + len };
	bool ok;

	skip_ws(&c);
	ok = check_value(&c);
	if (ok) {
		skip_ws(&c);
		if (c.p != c.end)
			ok = bad(&c, "more after the value");
	}
	if (where)
		*where = (size_t)(c.p - (const unsigned char *)text);
	if (why)
		*why = ok ? NULL : c.why;
	return ok ? 0 : -1;
}
