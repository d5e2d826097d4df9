
/*
 * Copyright (C) The ngx_http_autodiscover_module authors
 */


#ifndef _FUZZ_CONF_H_INCLUDED_
#define _FUZZ_CONF_H_INCLUDED_


#include "fuzz_common.h"


#define FUZZ_CONFS  4

/* one of the FUZZ_CONFS configurations (fuzz_conf.c), built once */
ngx_http_autodiscover_loc_conf_t *fuzz_conf(ngx_uint_t n);


#endif /* _FUZZ_CONF_H_INCLUDED_ */
