/** Reading this module's configuration sections with every problem collected and unknown keys reported. */
package dev.pgcdc.kafka.config;
