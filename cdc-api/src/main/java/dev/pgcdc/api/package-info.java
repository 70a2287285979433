/** The pgcdc core: exceptions shared by every module; sub-packages hold the domain model, the ports and the pipeline. */
package dev.pgcdc.api;
