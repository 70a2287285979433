/** Child processes of the test JVM: started from one long-lived thread, signalled by PID, never left running. */
package dev.pgcdc.testkit.process;
