/* lib/image's insides; image.h is the interface.  Include it first. */
typedef struct Imgfmt Imgfmt;
struct Imgfmt {
	int	(*start)(Imgw*);	/* the header; allocate aux */
	int	(*row)(Imgw*, uchar*);
	int	(*end)(Imgw*);		/* the trailer, unless failed already; free aux */
};

struct Imgw {
	FILE	*f;
	Imgfmt	*fmt;
	char	*chan;
	int	bpp;		/* bytes per pixel */
	int	dx;
	int	dy;
	int	bpl;		/* bytes per row */
	int	y;		/* rows taken so far */
	int	err;		/* errno of the first failure, 0 while none */
	void	*aux;		/* the format's own state */
	uchar	*conv;		/* imgrgbvrow's row in r8g8b8 */
};

extern Imgfmt imgfmtplan9, imgfmtplan9z, imgfmtpng;

/* image.c: write n bytes, or note the failure */
int	imgput(Imgw*, void*, long n);
int	imgfail(Imgw*, int err);

/* compress.c: image(6)'s code for one block, a row at a time */
typedef struct Lz Lz;
Lz	*lzopen(int bpl);
void	lzblock(Lz*);
int	lzrow(Lz*, uchar *row, uchar *code);
int	lzmax(int bpl);
void	lzclose(Lz*);
