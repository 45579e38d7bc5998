// SPDX-License-Identifier: GPL-2.0
/*
 * The sink table: a new output format is one file plus one row here.
 */
#include <stdlib.h>

#include "bench/sink.h"

const struct sink_ops *const sink_registry[] = {
	&sink_human_ops,
	&sink_csv_ops,
	&sink_json_ops,
	&sink_markdown_ops,
	&sink_simple_ops,
	&sink_tap_ops,
	NULL,
};

void sink_destroy(struct sink *s)
{
	if (s->ops && s->ops->free_priv)
		s->ops->free_priv(s->priv);
	else
		free(s->priv);
	s->priv = NULL;
}
