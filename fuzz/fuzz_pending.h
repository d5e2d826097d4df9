
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 *
 * Bugs that the harnesses found, that are reported and wait for a fix in
 * src/: while one is pending, the checks let its symptom through so that
 * fuzzing can go on past it.  Set each to 0 once its fix has landed; the
 * inputs in fuzz/regress/ then check the fix (make fuzz-regress).
 */


#ifndef _FUZZ_PENDING_H_INCLUDED_
#define _FUZZ_PENDING_H_INCLUDED_


/*
 * ngx_http_autodiscover_utf8() takes what nginx's ngx_utf8_decode() takes,
 * and that checks only that a continuation byte has its high bit set:
 * "\xc3\xef" or "\xda\xda" pass check_address() and check_text(), and
 * go into XML and JSON answers that are not UTF-8 (libxml2: not
 * well-formed).  fuzz/regress/get_args/utf8-*, fuzz/regress/render/utf8-*
 */
#define FUZZ_PENDING_UTF8_CONTINUATION  1


#endif /* _FUZZ_PENDING_H_INCLUDED_ */
