#ifndef KILN_VERSION_H
#define KILN_VERSION_H

#ifndef KILN_GIT_VERSION
#define KILN_GIT_VERSION "unknown"
#endif

#endif
