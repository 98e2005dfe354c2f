// SPDX-License-Identifier: Apache-2.0
// Quiescent-state-based RCU between the control thread and PMD threads.
//
// The control thread never changes anything a PMD thread may be reading. It
// builds a new object (a configuration snapshot, a rebuilt MAC table), publishes
// it with one atomic pointer store, and calls vs_rcu_synchronize() before it
// frees the old one. Each PMD thread reports a quiescent state once per poll
// loop iteration, at a point where it holds no reference to shared objects;
// vs_rcu_synchronize() returns once every online PMD thread has reported one
// after the call began. A PMD thread that sleeps goes offline first, so it never
// holds up the control thread. Readers pay one relaxed load and one release
// store per loop iteration, never a lock.
#pragma once

#include <stdint.h>

#include "../../pmd/port.h"

// Registers reader 'id' (0..VS_MAX_PMDS-1) as online. Called from: the reader's thread.
void vs_rcu_online(unsigned id);
// Marks reader 'id' offline: it holds no references until vs_rcu_online(). Called from: reader.
void vs_rcu_offline(unsigned id);
// Reports a quiescent state of reader 'id'. Called from: the reader, once per loop iteration.
void vs_rcu_quiescent(unsigned id);
// Waits until every online reader has been quiescent since the call began.
// Called from: the control thread (never from a reader).
void vs_rcu_synchronize(void);
